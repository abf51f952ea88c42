using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Ekm.Host.Tests;

/// <summary>Fresh API keys for one test host, and their configuration entries (hashes only).</summary>
internal sealed class TestKeys
{
    /// <summary>How many <see cref="NewTenantAdmin"/> keys one host has.</summary>
    public const int TenantAdminPool = 128;

    /// <summary>
    /// Keys are configured before the host starts, so tests that need a tenant admin of a tenant
    /// of their own take one of these, each issued for one fresh tenant; no two tests get the same.
    /// </summary>
    private readonly TenantAdminKey[] _tenantAdmins = [.. Enumerable.Range(0, TenantAdminPool).Select(_ => NewTenantAdminKey())];

    private int _tenantAdminsTaken;

    public string Support { get; } = NewKey();

    public string Operator { get; } = NewKey();

    /// <summary>Administers <see cref="AdminTenant"/> only.</summary>
    public string TenantAdmin { get; } = NewKey();

    public string AdminTenant { get; } = "tenant-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A tenant admin of every tenant (<c>*</c>), for requests that must reach a tenant route's own checks.</summary>
    public string EveryTenantAdmin { get; } = NewKey();

    /// <summary>A tenant admin key for a new tenant (<see cref="HostFixture.NewTenant"/>) that no other test has.</summary>
    public TenantAdminKey NewTenantAdmin()
    {
        var next = Interlocked.Increment(ref _tenantAdminsTaken) - 1;
        return next < _tenantAdmins.Length
            ? _tenantAdmins[next]
            : throw new InvalidOperationException($"All {TenantAdminPool} tenant admin keys of this host are taken: raise {nameof(TenantAdminPool)}.");
    }

    public IEnumerable<KeyValuePair<string, string?>> Settings()
    {
        (string Name, string Key, string Role, string? Tenant)[] keys =
        [
            ("support-desk", Support, "Support", null),
            ("noc", Operator, "Operator", null),
            ("admin@" + AdminTenant, TenantAdmin, "TenantAdmin", AdminTenant),
            ("admin@every-tenant", EveryTenantAdmin, "TenantAdmin", "*"),
            .. _tenantAdmins.Select(a => (a.Name, a.Key, "TenantAdmin", (string?)a.Tenant)),
        ];
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

    private static TenantAdminKey NewTenantAdminKey()
    {
        var tenant = HostFixture.NewTenant();
        return new(tenant, NewKey(), "admin@" + tenant);
    }

    private static string NewKey() => "test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
}

/// <summary>A tenant admin API key, the one tenant it administers, and the holder name recorded as the actor.</summary>
internal sealed record TenantAdminKey(string Tenant, string Key, string Name);
