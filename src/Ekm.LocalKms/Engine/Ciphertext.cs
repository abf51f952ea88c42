using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Ekm.LocalKms.Protocol;

namespace Ekm.LocalKms.Engine;

/// <summary>
/// The local KMS ciphertext blob: <c>0x01 | len | key id | backing-key version (4, big endian) |
/// nonce (12) | AES-256-GCM ciphertext | tag (16)</c>. The header and the canonical encryption
/// context are the associated data, so a changed header, a changed byte or a different context
/// all fail authentication, as in AWS.
/// </summary>
internal static class Ciphertext
{
    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static byte[] Seal(string keyId, int materialVersion, byte[] material, ReadOnlySpan<byte> plaintext, IReadOnlyDictionary<string, string>? context)
    {
        var header = Header(keyId, materialVersion);
        var blob = new byte[header.Length + NonceSize + plaintext.Length + TagSize];
        header.CopyTo(blob, 0);
        var nonce = blob.AsSpan(header.Length, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(material, TagSize);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(header.Length + NonceSize, plaintext.Length),
            blob.AsSpan(blob.Length - TagSize), AssociatedData(header, context));
        return blob;
    }

    /// <summary>Reads the key id and version without decrypting; a blob that is not ours is invalid.</summary>
    public static (string KeyId, int MaterialVersion) Peek(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 2 || blob[0] != FormatVersion)
        {
            throw Invalid();
        }

        var idLength = blob[1];
        if (blob.Length < 2 + idLength + 4 + NonceSize + TagSize)
        {
            throw Invalid();
        }

        var keyId = Encoding.ASCII.GetString(blob.Slice(2, idLength));
        var version = BinaryPrimitives.ReadInt32BigEndian(blob.Slice(2 + idLength, 4));
        return (keyId, version);
    }

    public static byte[] Open(ReadOnlySpan<byte> blob, byte[] material, IReadOnlyDictionary<string, string>? context)
    {
        var headerLength = 2 + blob[1] + 4;
        var header = blob[..headerLength];
        var nonce = blob.Slice(headerLength, NonceSize);
        var cipher = blob.Slice(headerLength + NonceSize, blob.Length - headerLength - NonceSize - TagSize);
        var tag = blob[^TagSize..];
        var plaintext = new byte[cipher.Length];
        try
        {
            using var aes = new AesGcm(material, TagSize);
            aes.Decrypt(nonce, cipher, tag, plaintext, AssociatedData(header, context));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            throw Invalid();
        }
    }

    private static byte[] Header(string keyId, int materialVersion)
    {
        var id = Encoding.ASCII.GetBytes(keyId);
        var header = new byte[2 + id.Length + 4];
        header[0] = FormatVersion;
        header[1] = checked((byte)id.Length);
        id.CopyTo(header, 2);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(2 + id.Length), materialVersion);
        return header;
    }

    private static byte[] AssociatedData(ReadOnlySpan<byte> header, IReadOnlyDictionary<string, string>? context)
    {
        using var buffer = new MemoryStream();
        buffer.Write(header);
        if (context is not null)
        {
            foreach (var (key, value) in context.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                WriteString(buffer, key);
                WriteString(buffer, value);
            }
        }

        return buffer.ToArray();
    }

    private static void WriteString(MemoryStream buffer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        buffer.Write(length);
        buffer.Write(bytes);
    }

    private static KmsException Invalid() => new(KmsErrors.InvalidCiphertext, "The ciphertext is invalid, was changed, or was not made with this encryption context.");
}
