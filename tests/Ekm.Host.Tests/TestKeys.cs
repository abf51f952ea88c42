using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Ekm.Host.Tests;

/// <summary>Fresh API keys for one test host, and their configuration entries (hashes only).</summary>
internal sealed class TestKeys
{
    public string Support { get; } = NewKey();

    public string Operator { get; } = NewKey();

    /// <summary>Administers <see cref="AdminTenant"/> only.</summary>
    public string TenantAdmin { get; } = NewKey();

    public string AdminTenant { get; } = "tenant-" + Guid.NewGuid().ToString("N")[..12];

    public IEnumerable<KeyValuePair<string, string?>> Settings()
    {
        var keys = new (string Name, string Key, string Role, string? Tenant)[]
        {
            ("support-desk", Support, "Support", null),
            ("noc", Operator, "Operator", null),
            ("admin@" + AdminTenant, TenantAdmin, "TenantAdmin", AdminTenant),
        };
        for (var i = 0; i < keys.Length; i++)
        {
            var (name, key, role, tenant) = keys[i];
            yield return new($"Ekm:Auth:ApiKeys:{i}:Name", name);
            yield return new($"Ekm:Auth:ApiKeys:{i}:Sha256", Hash(key));
            yield return new($"Ekm:Auth:ApiKeys:{i}:Roles:0", role);
            if (tenant is not null)
            {
                yield return new($"Ekm:Auth:ApiKeys:{i}:Tenants:0", tenant);
            }
        }
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static AuthenticationHeaderValue Bearer(string key) => new("Bearer", key);

    private static string NewKey() => "test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
}
