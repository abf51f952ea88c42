using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Ekm.Host.Auth;

/// <summary>
/// API keys are 256-bit random strings, so an unsalted SHA-256 is enough to keep them hashed at
/// rest: there is no dictionary to attack, and a fast hash keeps authentication cheap.
/// </summary>
internal static class ApiKeyHash
{
    public static byte[] Of(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static bool TryParse(string? hex, [NotNullWhen(true)] out byte[]? hash)
    {
        hash = null;
        if (hex is not { Length: 64 })
        {
            return false;
        }

        try
        {
            hash = Convert.FromHexString(hex);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>A new key: a recognisable prefix and 32 random bytes, URL-safe.</summary>
    public static string NewKey(string prefix) =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
