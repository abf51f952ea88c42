using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Ekm.Host.Kms;
using Ekm.LocalKms.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Ekm.Host.Tests;

/// <summary>
/// Customer A's side of the host's embedded local KMS: keys made and changed the way a customer
/// does it, with the AWS SDK signed as the customer's own account.
/// </summary>
internal sealed class CustomerKms : IDisposable
{
    public const string AccountId = LocalKmsAccounts.CustomerAAccountId;

    private readonly AmazonKeyManagementServiceClient _client;

    public CustomerKms(HostFixture host)
        : this(host.Factory.Services.GetRequiredService<EmbeddedLocalKms>().Server)
    {
    }

    /// <param name="server">The local KMS the keys live in.</param>
    /// <param name="accountId">Customer A by default; the vendor's own key is made the same way, signed as the vendor.</param>
    public CustomerKms(LocalKmsServer server, string accountId = AccountId)
    {
        var credentials = server.Accounts.Single(a => a.AccountId == accountId).AccessKeys[0];
        _client = new AmazonKeyManagementServiceClient(
            new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey),
            new AmazonKeyManagementServiceConfig { ServiceURL = server.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
    }

    /// <summary>A well-formed key ARN in the customer's account that names no key.</summary>
    public static string MissingKeyArn() => $"arn:aws:kms:us-east-1:{AccountId}:key/{Guid.NewGuid()}";

    /// <summary>A new key with the default policy: the customer's account only, the vendor not admitted.</summary>
    public async Task<string> CreateKeyAsync(KeySpec? spec = null, KeyUsageType? usage = null, bool multiRegion = false)
    {
        var created = await _client.CreateKeyAsync(new CreateKeyRequest
        {
            Description = "customer key for an Ekm.Host test",
            KeySpec = spec ?? KeySpec.SYMMETRIC_DEFAULT,
            KeyUsage = usage ?? KeyUsageType.ENCRYPT_DECRYPT,
            MultiRegion = multiRegion,
        });
        return created.KeyMetadata.Arn;
    }

    /// <summary>Sets the key policy to the customer's own root statement plus the statements the service asked for.</summary>
    public Task AdmitVendorAsync(string keyArn, JsonElement statements)
    {
        var root = new
        {
            Sid = "CustomerAccountRoot",
            Effect = "Allow",
            Principal = new { AWS = $"arn:aws:iam::{AccountId}:root" },
            Action = "kms:*",
            Resource = "*",
        };
        var policy = JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = statements.EnumerateArray().Cast<object>().Prepend(root),
        });
        return _client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = keyArn, Policy = policy });
    }

    public Task DisableAsync(string keyArn) => _client.DisableKeyAsync(new DisableKeyRequest { KeyId = keyArn });

    public Task EnableAsync(string keyArn) => _client.EnableKeyAsync(new EnableKeyRequest { KeyId = keyArn });

    public Task EnableRotationAsync(string keyArn, int periodInDays) =>
        _client.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyArn, RotationPeriodInDays = periodInDays });

    public Task ScheduleDeletionAsync(string keyArn) =>
        _client.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyArn, PendingWindowInDays = 7 });

    /// <summary>Points a new alias at the key; returns the alias ARN.</summary>
    public async Task<string> CreateAliasAsync(string keyArn)
    {
        var name = "alias/ekm-test-" + Guid.NewGuid().ToString("N");
        await _client.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = keyArn });
        return $"arn:aws:kms:us-east-1:{AccountId}:{name}";
    }

    public void Dispose() => _client.Dispose();
}

/// <summary>
/// One tenant of a test's own, driven over HTTP as its tenant admin (and support, for availability).
/// </summary>
internal sealed class TenantSession : IDisposable
{
    private readonly TenantAdminKey _admin;
    private readonly HostFixture _host;

    private TenantSession(HostFixture host, TenantAdminKey admin)
    {
        _admin = admin;
        _host = host;
        Admin = host.Factory.ClientWith(admin.Key);
        Support = host.Factory.ClientWith(host.Keys.Support);
    }

    public string Tenant => _admin.Tenant;

    /// <summary>The admin key holder's name, which the service records as the actor.</summary>
    public string AdminName => _admin.Name;

    public HttpClient Admin { get; }

    public HttpClient Support { get; }

    private string Ekm => $"/api/tenants/{Tenant}/ekm";

    /// <summary>A new tenant on Cloud Key Management, Enterprise Key Management not activated.</summary>
    public static TenantSession New(HostFixture host) => new(host, host.Keys.NewTenantAdmin());

    /// <summary>A new tenant for which support has activated Enterprise Key Management.</summary>
    public static async Task<TenantSession> ActivatedAsync(HostFixture host)
    {
        var session = New(host);
        await Http.OkAsync(await session.SetAvailabilityAsync(true));
        return session;
    }

    public Task<HttpResponseMessage> SetAvailabilityAsync(bool activated) =>
        Support.PutAsJsonAsync($"/api/support/tenants/{Tenant}/ekm/availability", new { activated });

    public Task<HttpResponseMessage> ValidateAsync(string keyArn) => Admin.PostAsJsonAsync($"{Ekm}/validate", new { keyArn });

    /// <summary>Enables with the current terms version unless told otherwise.</summary>
    public async Task<HttpResponseMessage> EnableAsync(string keyArn, bool acceptTerms = true, string? termsVersion = null) =>
        await Admin.PostAsJsonAsync($"{Ekm}/enable", new { keyArn, acceptTerms, termsVersion = termsVersion ?? await TermsVersionAsync() });

    public Task<HttpResponseMessage> UpdateKeyAsync(string keyArn) => Admin.PutAsJsonAsync($"{Ekm}/key", new { keyArn });

    public async Task<JsonElement> CheckHealthAsync() => await Http.OkAsync(await Admin.PostAsync($"{Ekm}/health-check", null));

    /// <summary>Starts a job over HTTP (202 + Location), waits for the job grain to finish, and reads its final status over HTTP.</summary>
    public async Task<JsonElement> RunJobAsync(object spec)
    {
        var started = await Admin.PostAsJsonAsync($"/api/tenants/{Tenant}/jobs", spec);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, started.StatusCode);
        var jobUrl = started.Headers.Location!.ToString();
        var grains = _host.Factory.Services.GetRequiredService<IClusterClient>();
        await grains.GetGrain<Ekm.Jobs.IJobGrain>(jobUrl.Split('/')[^1]).WhenFinishedAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return await Http.OkAsync(await Admin.GetAsync(jobUrl));
    }

    public async Task<JsonElement> StatusAsync() => await Http.OkAsync(await Admin.GetAsync(Ekm));

    public async Task<JsonElement> AuditAsync() => await Http.OkAsync(await Admin.GetAsync($"{Ekm}/audit"));

    public async Task<JsonElement> KeyPolicyAsync() => await Http.OkAsync(await Admin.GetAsync($"{Ekm}/key-policy"));

    public async Task<string> TermsVersionAsync() =>
        (await Http.OkAsync(await Admin.GetAsync("/api/ekm/terms"))).GetProperty("version").GetString()!;

    /// <summary>A new customer key whose policy admits the vendor for this tenant, as the key-policy page says.</summary>
    public async Task<string> NewUsableKeyAsync(CustomerKms kms, KeySpec? spec = null, KeyUsageType? usage = null, bool multiRegion = false)
    {
        var keyArn = await kms.CreateKeyAsync(spec, usage, multiRegion);
        await kms.AdmitVendorAsync(keyArn, (await KeyPolicyAsync()).GetProperty("statements"));
        return keyArn;
    }

    /// <summary>Enables Enterprise Key Management with a new usable key; returns the key ARN.</summary>
    public async Task<string> EnableWithNewKeyAsync(CustomerKms kms)
    {
        var keyArn = await NewUsableKeyAsync(kms);
        await Http.OkAsync(await EnableAsync(keyArn));
        return keyArn;
    }

    /// <summary>Asserts the tenant is still on Cloud Key Management with no key saved.</summary>
    public async Task AssertNothingSavedAsync()
    {
        var status = await StatusAsync();
        Assert.Equal("CloudKeyManagement", status.GetProperty("mode").GetString());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("keyArn").ValueKind);
        Assert.Equal(JsonValueKind.Null, status.GetProperty("terms").ValueKind);
    }

    public void Dispose()
    {
        Admin.Dispose();
        Support.Dispose();
    }
}

internal static class Http
{
    /// <summary>Asserts 200 OK (showing the body if not) and returns the JSON body.</summary>
    public static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.Clone();
    }
}
