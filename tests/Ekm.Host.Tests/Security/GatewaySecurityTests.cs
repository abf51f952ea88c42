using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Ekm.Host.Kms;
using Ekm.LocalKms.Faults;
using Ekm.Problems;
using Microsoft.Extensions.DependencyInjection;

namespace Ekm.Host.Tests.Security;

/// <summary>
/// The gateway security review (issue 9), one test per finding: API keys are kept and compared
/// only as digests, bodies are bounded, tenant ids cannot leave the data directory, the dashboard
/// and the OpenAPI document need a key, and no answer or log line carries a secret.
/// docs/security.md lists each item with its test.
/// </summary>
public sealed class GatewaySecurityTests(HostFixture host) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task ApiKey_TheStoredDigestPresentedAsTheKey_Unauthenticated()
    {
        // What configuration holds (the SHA-256 digest) is not a credential: a leaked settings file
        // or environment dump does not let anyone in.
        using var client = host.Factory.ClientWith(TestKeys.Hash(host.Keys.Support));
        var response = await client.GetAsync($"/api/tenants/{HostFixture.NewTenant()}/ekm");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, ProblemSlugs.Unauthenticated);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task ApiKey_OneCharacterDifferentFromAValidKey_Unauthenticated(int position)
    {
        var key = host.Keys.Support;
        var index = position < 0 ? key.Length + position : position;
        var near = string.Concat(key.AsSpan(0, index), key[index] == 'A' ? "B" : "A", key.AsSpan(index + 1));
        using var client = host.Factory.ClientWith(near);
        var response = await client.GetAsync($"/api/tenants/{HostFixture.NewTenant()}/ekm");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, ProblemSlugs.Unauthenticated);
    }

    [Theory]
    [InlineData("/openapi/v1.json")]
    [InlineData("/dashboard")]
    [InlineData("/dashboard/")]
    [InlineData("/dashboard/index.html")]
    [InlineData("/dashboard/DashboardCounters")]
    [InlineData("/dashboard/ClusterStats")]
    [InlineData("/dashboard/Reminders")]
    public async Task OperatorSurfaces_Anonymous_Unauthenticated(string path)
    {
        using var client = host.Factory.CreateClient();
        var response = await client.GetAsync(path);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, ProblemSlugs.Unauthenticated);
    }

    [Fact]
    public async Task RequestBody_LargerThanTheLimit_RequestTooLargeBeforeAuthentication()
    {
        // 64 KiB is the default limit; the body is refused on its declared length, unread, whoever sends it.
        var body = $$"""{"keyArn":"{{new string('a', 70_000)}}"}""";
        foreach (var apiKey in new string?[] { null, host.Keys.TenantAdmin })
        {
            using var client = apiKey is null ? host.Factory.CreateClient() : host.Factory.ClientWith(apiKey);
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            var response = await client.PostAsync($"/api/tenants/{host.Keys.AdminTenant}/ekm/validate", content);
            var detail = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, ProblemSlugs.RequestTooLarge);
            Assert.Contains("65,536 bytes", detail, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("%2e%2e")]
    [InlineData("%2E%2E%2F%2E%2E%2Fetc")]
    [InlineData("..%2F..%2Fekm.db")]
    [InlineData("..%5C..%5Cekm.db")]
    [InlineData("tenant%2F..%2F..")]
    [InlineData("t%C3%A9nant")]
    public async Task TenantId_TraversalInTheRoute_RefusedAndNothingWritten(string tenantSegment)
    {
        var before = Entries(host.DataDirectory);
        using var support = host.Factory.ClientWith(host.Keys.Support);
        using var admin = host.Factory.ClientWith(host.Keys.EveryTenantAdmin);
        string[] paths =
        [
            $"/api/support/tenants/{tenantSegment}/ekm/availability",
            $"/api/tenants/{tenantSegment}/jobs",
            $"/api/tenants/{tenantSegment}/ekm/enable",
        ];
        foreach (var path in paths)
        {
            using var content = new StringContent("""{"activated":true,"kind":"Backup","product":"Microsoft365","variant":"manual"}""", Encoding.UTF8, "application/json");
            var response = path.Contains("availability", StringComparison.Ordinal)
                ? await support.PutAsync(path, content)
                : await admin.PostAsync(path, content);
            var status = (int)response.StatusCode;
            Assert.True(status is 400 or 404, $"{path}: expected 400 or 404, got {status}: {await response.Content.ReadAsStringAsync()}");
            await ProblemAssert.IsProblemAsync(response, response.StatusCode, status == 400 ? ProblemSlugs.InvalidTenantId : ProblemSlugs.NotFound);
        }

        var download = await support.GetAsync($"/api/downloads/{tenantSegment}/{Guid.NewGuid():N}/..%2Fekm.db?expires=9999999999&signature=x");
        Assert.True((int)download.StatusCode is 403 or 404, $"download: got {(int)download.StatusCode}");
        Assert.Equal(before, Entries(host.DataDirectory));
    }

    [Fact]
    public async Task Secrets_WrongKeysFailedKmsCallsAndBadBodies_NeverInAnswersOrLogs()
    {
        var guessedKey = "ekm_guess_" + Guid.NewGuid().ToString("N");
        var basicPassword = "basic-secret-" + Guid.NewGuid().ToString("N");
        var answers = new StringBuilder();
        async Task Record(HttpResponseMessage response)
        {
            answers.AppendLine(response.ToString()).AppendLine(await response.Content.ReadAsStringAsync());
        }

        using (var guessing = host.Factory.ClientWith(guessedKey))
        {
            await Record(await guessing.GetAsync($"/api/tenants/{host.Keys.AdminTenant}/ekm"));
            await Record(await guessing.GetAsync("/dashboard/"));
        }

        using (var basic = host.Factory.CreateClient())
        {
            basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"noc:{basicPassword}")));
            await Record(await basic.GetAsync("/dashboard/"));
        }

        // A real key in a broken header, and a body that quotes it.
        using (var broken = host.Factory.CreateClient())
        {
            broken.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"Bearer {host.Keys.TenantAdmin} trailing");
            await Record(await broken.GetAsync($"/api/tenants/{host.Keys.AdminTenant}/ekm"));
        }

        using var session = await TenantSession.ActivatedAsync(host);
        using var kms = new CustomerKms(host);
        await Record(await session.Admin.PostAsJsonAsync($"/api/tenants/{session.Tenant}/ekm/validate", new { keyArn = host.Keys.Support }));
        await Record(await session.ValidateAsync(await kms.CreateKeyAsync())); // the vendor is not admitted: key-access-denied

        // Every KMS call fails transiently: the answer is kms-unavailable, with nothing of the KMS credentials in it.
        var localKms = host.Factory.Services.GetRequiredService<EmbeddedLocalKms>();
        var keyArn = await session.NewUsableKeyAsync(kms);
        localKms.Server.Faults.Add(new FaultRule { KeyId = keyArn, InternalErrorRate = 1 });
        try
        {
            var failed = await session.ValidateAsync(keyArn);
            await ProblemAssert.IsProblemAsync(failed, HttpStatusCode.ServiceUnavailable, ProblemSlugs.KmsUnavailable);
            await Record(failed);
        }
        finally
        {
            localKms.Server.Faults.Clear();
        }

        var secrets = new List<string> { guessedKey, basicPassword, host.Keys.Support, host.Keys.Operator, host.Keys.TenantAdmin };
        secrets.AddRange(localKms.Server.Accounts.SelectMany(a => a.AccessKeys).Select(k => k.SecretAccessKey));
        var logs = string.Join('\n', host.Factory.Logs.Records);
        Assert.Contains("Unknown API key", logs, StringComparison.Ordinal); // the refusals were logged, and the logs are searched
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, answers.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        }
    }

    /// <summary>Every file and folder under the data directory but SQLite's own journal files.</summary>
    private static string[] Entries(string dataDirectory) =>
        [.. Directory.EnumerateFileSystemEntries(dataDirectory, "*", SearchOption.AllDirectories)
            .Where(e => !e.EndsWith("-wal", StringComparison.Ordinal) && !e.EndsWith("-shm", StringComparison.Ordinal) && !e.EndsWith("-journal", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
}
