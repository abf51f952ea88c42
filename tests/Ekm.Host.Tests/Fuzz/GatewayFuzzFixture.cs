using System.Reflection;
using System.Text.Json;
using Amazon.KeyManagementService;
using Ekm.Problems;

namespace Ekm.Host.Tests.Fuzz;

/// <summary>
/// One host for the gateway fuzz tests, with a tenant in each lifecycle state (<see cref="FuzzTenant"/>)
/// and customer keys KMS refuses in each way, so bodies reach the KeyGrain and the key validator.
/// Its KMS request limits are raised: the fuzzer sends far more requests than a tenant admin would.
/// </summary>
public sealed class GatewayFuzzFixture() : HostFixture(
[
    new("Ekm:Gateway:KmsRequestsPerTenant", "100000"),
    new("Ekm:Gateway:KmsRequestsPerSilo", "100000"),
    // No health probe may change a tenant's state between the fuzzer's two looks at it.
    new("Ekm:Keys:HealthCheckPeriod", "1.00:00:00"),
]), IAsyncLifetime
{
    /// <summary>Every problem type the service has (<see cref="ProblemSlugs"/>).</summary>
    public static readonly IReadOnlySet<string> Slugs = typeof(ProblemSlugs)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToHashSet(StringComparer.Ordinal);

    private readonly Dictionary<FuzzTenant, TenantSession> _tenants = [];

    /// <summary>
    /// What each tenant looked like after the last request to it. Nothing else touches these
    /// tenants between two requests of a test, so it is also the state before the next one.
    /// </summary>
    private readonly Dictionary<FuzzTenant, string> _lastSeen = [];

    internal FuzzWorld World { get; private set; } = null!;

    internal GatewayRequests Requests { get; private set; } = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        _tenants[FuzzTenant.NotActivated] = TenantSession.New(this);
        await Http.OkAsync(await _tenants[FuzzTenant.NotActivated].SetAvailabilityAsync(false));
        _tenants[FuzzTenant.Ckm] = await TenantSession.ActivatedAsync(this);
        var ekm = _tenants[FuzzTenant.Ekm] = await TenantSession.ActivatedAsync(this);
        _tenants[FuzzTenant.Unknown] = TenantSession.New(this);

        using var kms = new CustomerKms(this);
        var ekmKey = await ekm.EnableWithNewKeyAsync(kms);
        var disabled = await ekm.NewUsableKeyAsync(kms);
        await kms.DisableAsync(disabled);
        var pendingDeletion = await ekm.NewUsableKeyAsync(kms);
        await kms.ScheduleDeletionAsync(pendingDeletion);
        var rsa = await ekm.NewUsableKeyAsync(kms, KeySpec.RSA_2048);
        var vendorNotAdmitted = await kms.CreateKeyAsync();

        World = new FuzzWorld(
            _tenants.ToDictionary(t => t.Key, t => t.Value.Tenant),
            ekmKey,
            [ekmKey],
            [disabled, pendingDeletion, rsa, vendorNotAdmitted],
            CustomerKms.AccountId,
            await ekm.TermsVersionAsync());
        Requests = new GatewayRequests(World);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        foreach (var tenant in _tenants.Values)
        {
            tenant.Dispose();
        }

        await DisposeAsync();
    }

    /// <summary>
    /// Sends the request and asserts what its sender sees: a 4xx RFC 9457 problem with a known
    /// slug and a sentence; and that the tenant's key state, audit log and job list are unchanged.
    /// </summary>
    internal async Task AssertRefusedWithoutChangeAsync(FuzzRequest request)
    {
        var before = _lastSeen.TryGetValue(request.Tenant, out var seen) ? seen : await SnapshotAsync(request.Tenant);

        using var response = await SendAsync(request);
        var after = _lastSeen[request.Tenant] = await SnapshotAsync(request.Tenant);

        await AssertProblemAsync(response);
        Assert.Equal(before, after);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status is >= 400 and < 500, $"expected a 4xx problem, got {status}: {KeyArnGenerators.Show(body)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        var type = json.RootElement.GetProperty("type").GetString()!;
        Assert.Contains(type, Slugs);
        // The fixture's limits are far above what it sends: a 429 would mean the fuzz stopped reaching the grains.
        Assert.NotEqual(ProblemSlugs.TooManyRequests, type);
        Assert.Equal(status, json.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("detail").GetString()), $"no detail: {body}");
    }

    private async Task<HttpResponseMessage> SendAsync(FuzzRequest request)
    {
        var session = _tenants[request.Tenant];
        var tenant = request.Route is null ? session.Tenant
            : request.RawRoute ? request.Route
            : Uri.EscapeDataString(request.Route);
        var (method, path, client) = request.Endpoint switch
        {
            FuzzEndpoint.Validate => (HttpMethod.Post, $"/api/tenants/{tenant}/ekm/validate", session.Admin),
            FuzzEndpoint.Enable => (HttpMethod.Post, $"/api/tenants/{tenant}/ekm/enable", session.Admin),
            FuzzEndpoint.UpdateKey => (HttpMethod.Put, $"/api/tenants/{tenant}/ekm/key", session.Admin),
            FuzzEndpoint.Availability => (HttpMethod.Put, $"/api/support/tenants/{tenant}/ekm/availability", session.Support),
            _ => (HttpMethod.Post, $"/api/tenants/{tenant}/jobs", session.Admin),
        };
        var content = new ByteArrayContent(request.Body);
        if (request.ContentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
        }

        using var message = new HttpRequestMessage(method, path) { Content = content };
        return await client.SendAsync(message);
    }

    /// <summary>What the tenant's admin sees of its tenant: key state, audit log, jobs.</summary>
    private async Task<string> SnapshotAsync(FuzzTenant tenant)
    {
        var session = _tenants[tenant];
        var jobs = await Http.OkAsync(await session.Admin.GetAsync($"/api/tenants/{session.Tenant}/jobs"));
        return string.Join('\n', (await session.StatusAsync()).GetRawText(), (await session.AuditAsync()).GetRawText(), jobs.GetRawText());
    }
}
