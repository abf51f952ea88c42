using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Ekm.Grains.Jobs.Data;

/// <summary>
/// SHA-256 in counter mode over a seed. Stable across processes, machines and .NET versions —
/// unlike <see cref="string.GetHashCode()"/> (randomised per process) or <see cref="Random"/>
/// (its seeded algorithm is not a documented contract) — so synthetic data is the same everywhere.
/// </summary>
internal sealed class SeededRandom
{
    private readonly byte[] _input = new byte[SHA256.HashSizeInBytes + sizeof(long)];
    private readonly byte[] _block = new byte[SHA256.HashSizeInBytes];
    private long _counter;
    private int _used = SHA256.HashSizeInBytes;

    /// <param name="parts">Length-prefixed before hashing, so ("ab", "c") and ("a", "bc") differ.</param>
    public SeededRandom(params string[] parts)
    {
        using var seed = new MemoryStream();
        Span<byte> length = stackalloc byte[sizeof(int)];
        foreach (var part in parts)
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            seed.Write(length);
            seed.Write(bytes);
        }

        SHA256.HashData(seed.ToArray(), _input);
    }

    public void Fill(Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            if (_used == _block.Length)
            {
                BinaryPrimitives.WriteInt64BigEndian(_input.AsSpan(SHA256.HashSizeInBytes), _counter++);
                SHA256.HashData(_input, _block);
                _used = 0;
            }

            var take = Math.Min(destination.Length, _block.Length - _used);
            _block.AsSpan(_used, take).CopyTo(destination);
            _used += take;
            destination = destination[take..];
        }
    }

    /// <summary>A value in [<paramref name="min"/>, <paramref name="maxExclusive"/>); the modulo bias is irrelevant for fake data.</summary>
    public int Next(int min, int maxExclusive)
    {
        Span<byte> bytes = stackalloc byte[sizeof(uint)];
        Fill(bytes);
        return min + (int)(BinaryPrimitives.ReadUInt32BigEndian(bytes) % (uint)(maxExclusive - min));
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(0, items.Count)];
}
