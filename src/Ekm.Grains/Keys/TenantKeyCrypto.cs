using System.Security.Cryptography;
using System.Text;
using Ekm.Problems;

namespace Ekm.Grains.Keys;

/// <summary>
/// The tenant key wraps data keys locally with AES-256-GCM (DESIGN §3): <c>nonce (12) | ciphertext
/// (32) | tag (16)</c>, associated data binding the tenant, so a data key copied to another tenant's
/// store does not unwrap there.
/// </summary>
internal static class TenantKeyCrypto
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int KeySize = 32;

    public static byte[] NewDataKey() => RandomNumberGenerator.GetBytes(KeySize);

    public static byte[] Wrap(ReadOnlySpan<byte> tenantKey, ReadOnlySpan<byte> dataKey, string tenantId)
    {
        var wrapped = new byte[NonceSize + dataKey.Length + TagSize];
        var nonce = wrapped.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(tenantKey, TagSize);
        aes.Encrypt(nonce, dataKey, wrapped.AsSpan(NonceSize, dataKey.Length), wrapped.AsSpan(NonceSize + dataKey.Length), Context(tenantId));
        return wrapped;
    }

    public static byte[] Unwrap(ReadOnlySpan<byte> tenantKey, ReadOnlySpan<byte> wrapped, string tenantId)
    {
        if (wrapped.Length != NonceSize + KeySize + TagSize)
        {
            throw Unreadable();
        }

        var dataKey = new byte[KeySize];
        try
        {
            using var aes = new AesGcm(tenantKey, TagSize);
            aes.Decrypt(wrapped[..NonceSize], wrapped.Slice(NonceSize, KeySize), wrapped[^TagSize..], dataKey, Context(tenantId));
            return dataKey;
        }
        catch (AuthenticationTagMismatchException)
        {
            throw Unreadable();
        }
    }

    private static byte[] Context(string tenantId) => Encoding.UTF8.GetBytes("ekm-data-key|" + tenantId);

    private static EkmProblemException Unreadable() =>
        new(ProblemSlugs.DataKeyUnreadable, "A stored data key does not belong to this tenant's key or was changed.");
}
