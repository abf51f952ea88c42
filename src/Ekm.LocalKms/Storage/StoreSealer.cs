using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Ekm.LocalKms.Storage;

/// <summary>
/// Seals the local KMS store's documents with AES-256-GCM under the 256-bit store key. A sealed
/// value is <c>version (1) | nonce (12) | ciphertext | tag (16)</c>; the associated data names the
/// format version, the table and the row's primary key, so a sealed value copied into another
/// row's place (or another table) fails to open just as an altered one does.
/// </summary>
internal sealed class StoreSealer : IDisposable
{
    public const int KeySize = 32;

    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int Overhead = 1 + NonceSize + TagSize;

    private static readonly byte[] Purpose = "ekm-localkms-store"u8.ToArray();

    private readonly AesGcm _aes;

    public StoreSealer(ReadOnlySpan<byte> storeKey)
    {
        if (storeKey.Length != KeySize)
        {
            throw new ArgumentException($"A store key is {KeySize} bytes (AES-256), not {storeKey.Length}.", nameof(storeKey));
        }

        _aes = new AesGcm(storeKey, TagSize);
    }

    /// <summary>Seals a document for one row; a fresh random nonce on every call.</summary>
    public byte[] Seal(string table, IReadOnlyList<string> rowKey, ReadOnlySpan<byte> document)
    {
        var sealedValue = new byte[Overhead + document.Length];
        sealedValue[0] = Version;
        var nonce = sealedValue.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        _aes.Encrypt(nonce, document, sealedValue.AsSpan(1 + NonceSize, document.Length), sealedValue.AsSpan(^TagSize), AssociatedData(Version, table, rowKey));
        return sealedValue;
    }

    /// <summary>The document sealed for this row, or null when the value was altered, belongs to another row, or was sealed under another key.</summary>
    public byte[]? TryOpen(string table, IReadOnlyList<string> rowKey, ReadOnlySpan<byte> sealedValue)
    {
        if (sealedValue.Length < Overhead || sealedValue[0] != Version)
        {
            return null;
        }

        var document = new byte[sealedValue.Length - Overhead];
        try
        {
            _aes.Decrypt(sealedValue.Slice(1, NonceSize), sealedValue[(1 + NonceSize)..^TagSize], sealedValue[^TagSize..], document,
                AssociatedData(sealedValue[0], table, rowKey));
            return document;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    public void Dispose() => _aes.Dispose();

    /// <summary>Each field length-prefixed, so ("ab", "c") and ("a", "bc") never bind the same.</summary>
    private static byte[] AssociatedData(byte version, string table, IReadOnlyList<string> rowKey)
    {
        using var data = new MemoryStream();
        data.Write(Purpose);
        data.WriteByte(version);
        Write(data, table);
        foreach (var part in rowKey)
        {
            Write(data, part);
        }

        return data.ToArray();
    }

    private static void Write(MemoryStream data, string field)
    {
        var bytes = Encoding.UTF8.GetBytes(field);
        Span<byte> length = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        data.Write(length);
        data.Write(bytes);
    }
}
