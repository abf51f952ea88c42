using System.Security.Cryptography;
using System.Text;

namespace Ekm.Testing;

/// <summary>An API key as an operator configures it: its holder, its role, its tenant (none for support roles, or <c>*</c>).</summary>
internal sealed record HostApiKey(string Name, string Key, string Role, string? Tenant)
{
    /// <summary>The host's <c>--Ekm:Auth:ApiKeys:N:…</c> settings for <paramref name="keys"/>: the SHA-256 of each key, never the key.</summary>
    public static IEnumerable<string> Settings(IEnumerable<HostApiKey> keys) => keys.SelectMany((key, i) => key.Settings($"--Ekm:Auth:ApiKeys:{i}:"));

    /// <summary>A fresh random key, <paramref name="prefix"/> first.</summary>
    public static string NewKey(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    private IEnumerable<string> Settings(string prefix)
    {
        yield return $"{prefix}Name={Name}";
        yield return $"{prefix}Sha256={Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key)))}";
        yield return $"{prefix}Roles:0={Role}";
        if (Tenant is not null)
        {
            yield return $"{prefix}Tenants:0={Tenant}";
        }
    }
}
