using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Ekm.Testing;

namespace Ekm.EndToEnd.Tests;

/// <summary>
/// <c>Ekm.Host</c> as a real process (<see cref="ChildHostProcess"/>: the Development environment
/// <c>dotnet run</c> uses, so its embedded local KMS runs), reached by a browser over real HTTP.
/// API keys configured by hash: one Support key and one tenant admin key per fresh tenant.
/// </summary>
internal sealed class ConsoleHost : IAsyncDisposable
{
    private const int Tenants = 16;

    private readonly ChildHostProcess _process;
    private readonly ConcurrentQueue<TenantAdmin> _tenants;
    private readonly HttpClient _support;

    private ConsoleHost(ChildHostProcess process, string supportKey, IEnumerable<TenantAdmin> tenants)
    {
        _process = process;
        _tenants = new(tenants);
        SupportKey = supportKey;
        _support = new HttpClient { BaseAddress = BaseAddress };
        _support.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SupportKey);
    }

    public Uri BaseAddress => _process.BaseAddress;

    /// <summary>The host's embedded local KMS, where the customer keeps its keys.</summary>
    public Uri LocalKms => _process.LocalKmsAddress;

    public string SupportKey { get; }

    /// <summary>The last lines the host printed, for a failing test's output.</summary>
    public string OutputTail => _process.OutputTail(60);

    public static async Task<ConsoleHost> StartAsync()
    {
        var supportKey = NewKey();
        TenantAdmin[] tenants = [.. Enumerable.Range(0, Tenants).Select(_ => TenantAdmin.New())];
        HostApiKey[] keys =
        [
            new("support-desk", supportKey, "Support", null),
            .. tenants.Select(t => new HostApiKey(t.Name, t.Key, "TenantAdmin", t.Tenant)),
        ];
        var process = await ChildHostProcess.StartAsync(
        [
            $"--Orleans:ClusterId=e2e-{Guid.NewGuid():N}",
            "--Ekm:Auth:DevelopmentKey=false",
            .. HostApiKey.Settings(keys),
        ]);
        return new ConsoleHost(process, supportKey, tenants);
    }

    /// <summary>A tenant of the test's own, on Cloud Key Management, with its tenant admin's key.</summary>
    public TenantAdmin NewTenant() =>
        _tenants.TryDequeue(out var tenant) ? tenant : throw new InvalidOperationException($"All {Tenants} tenants of this host are taken.");

    /// <summary>What support does when a customer asks for Enterprise Key Management.</summary>
    public async Task ActivateAsync(string tenant)
    {
        using var response = await _support.PutAsJsonAsync($"api/support/tenants/{tenant}/ekm/availability", new { activated = true });
        Assert.True(response.IsSuccessStatusCode, $"activation failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<Terms> TermsAsync() => (await _support.GetFromJsonAsync<Terms>("api/ekm/terms"))!;

    public async ValueTask DisposeAsync()
    {
        _support.Dispose();
        await _process.DisposeAsync();
    }

    private static string NewKey() => HostApiKey.NewKey("e2e_");

    /// <summary>A tenant and the key of its tenant admin.</summary>
    public sealed record TenantAdmin(string Tenant, string Key, string Name)
    {
        public static TenantAdmin New()
        {
            var tenant = "e2e-" + Guid.NewGuid().ToString("N")[..12];
            return new(tenant, NewKey(), "admin@" + tenant);
        }
    }

    public sealed record Terms(string Id, string Version, string Text);
}
