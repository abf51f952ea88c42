using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ekm.LocalKms.Faults;
using Ekm.Problems;
using Xunit.Abstractions;

namespace Ekm.Host.Tests.Cluster;

/// <summary>
/// Issue 6, failure with real processes: PostgreSQL, a local KMS and <c>Ekm.Host</c> silos on
/// loopback; the silo running the work is killed with SIGKILL and the survivor carries it on.
/// </summary>
[Collection("postgres")]
public sealed class ClusterFailoverTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private ProcessCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ProcessCluster.StartAsync(postgres, silos: 2);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [PostgresFact]
    public async Task Backup_WhenTheSiloRunningItIsKilled_ResumesOnTheSurvivor_AndRestoresByteIdentical()
    {
        var tenant = await EnabledTenantAsync();
        // Every admission waits on KMS for a while, so the job is mid-way when its silo dies.
        _cluster.Kms.Faults.Add(new FaultRule { Operation = "Decrypt", Latency = TimeSpan.FromMilliseconds(1200) });

        var entry = _cluster.Live[0];
        using var admin = ProcessCluster.Client(entry, tenant.Key);
        var jobUrl = await StartJobAsync(admin, tenant.Tenant, new { kind = "Backup", product = "Microsoft365", variant = "manual" });
        var jobId = jobUrl.Split('/')[^1];
        var runner = await _cluster.LoggedByAsync($"Job {jobId} of tenant {tenant.Tenant} started");
        var survivor = _cluster.Live.Single(s => s != runner);
        using var watcher = ProcessCluster.Client(survivor, tenant.Key);
        var before = await WaitForAsync(watcher, jobUrl, s => s.GetProperty("operationsDone").GetInt32() >= 1);

        await runner.KillAsync();
        var killed = DateTime.UtcNow;
        var answers = new List<HttpResponseMessage>();
        var done = await WaitForAsync(watcher, jobUrl, s => s.GetProperty("state").GetString() != "Running", answers);
        _cluster.Kms.Faults.Clear();
        output.WriteLine($"killed after {before.GetProperty("operationsDone")} of {done.GetProperty("operationsTotal")} operations; finished {(DateTime.UtcNow - killed).TotalSeconds:F1} s later; "
            + $"status answers while failing over: {string.Join(", ", answers.GroupBy(a => (int)a.StatusCode).Select(g => $"{g.Count()}x {g.Key}"))}");

        Assert.Equal("Succeeded", done.GetProperty("state").GetString());
        Assert.Equal(done.GetProperty("operationsTotal").GetInt32(), done.GetProperty("operationsDone").GetInt32());
        Assert.True(before.GetProperty("operationsDone").GetInt32() < done.GetProperty("operationsTotal").GetInt32(), "the job was killed before its end");
        Assert.Contains($"Job {jobId} of tenant {tenant.Tenant} resumed on silo", survivor.Stdout, StringComparison.Ordinal);
        await AssertOnlySuccessOrServiceUnavailableAsync(answers);

        // Nothing lost, nothing stored twice over: every item comes back byte for byte.
        var restore = await RunJobAsync(watcher, tenant.Tenant, new { kind = "Restore", product = "Microsoft365", variant = "restore" });
        AssertRestoredCopyIsTheSource(tenant.Tenant, restore);
    }

    [PostgresFact]
    public async Task KeyUpdate_WhenTheSiloRunningItIsKilledDuringReEncrypt_Completes()
    {
        var tenant = await EnabledTenantAsync();
        using var customer = new CustomerKms(_cluster.Kms);
        var entry = _cluster.Live[0];
        using (var admin = ProcessCluster.Client(entry, tenant.Key))
        {
            await RunJobAsync(admin, tenant.Tenant, new { kind = "Backup", product = "GoogleWorkspace", variant = "manual" });
        }

        var newKey = await UsableKeyAsync(customer, tenant);
        var keyHost = await _cluster.LoggedByAsync($"Tenant {tenant.Tenant} switched to Enterprise Key Management");
        var gateway = _cluster.Live.Single(s => s != keyHost);
        using var client = ProcessCluster.Client(gateway, tenant.Key);
        var reEncrypting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _cluster.Kms.Faults.Add(new FaultRule { Operation = "ReEncrypt", Latency = TimeSpan.FromSeconds(3), OnMatch = () => reEncrypting.TrySetResult() });

        var update = client.PutAsJsonAsync($"/api/tenants/{tenant.Tenant}/ekm/key", new { keyArn = newKey });
        await reEncrypting.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await keyHost.KillAsync();
        var killed = DateTime.UtcNow;
        var answer = await update;
        _cluster.Kms.Faults.Clear();
        output.WriteLine($"the update answered {(int)answer.StatusCode} {(DateTime.UtcNow - killed).TotalSeconds:F1} s after its silo was killed");

        // The gateway retried onto the survivor: the update's own answer, or a clear 503 to retry.
        await AssertOnlySuccessOrServiceUnavailableAsync([answer]);
        var status = await WaitForAsync(client, $"/api/tenants/{tenant.Tenant}/ekm", s => s.GetProperty("keyArn").GetString() == newKey);
        Assert.Equal("Healthy", status.GetProperty("health").GetProperty("status").GetString());

        // The tenant key survived the interrupted re-wrap: the old backup restores under the new key
        // alone, with the old key disabled by the customer.
        await customer.DisableAsync(status.GetProperty("history")[0].GetProperty("keyArn").GetString()!);
        var restore = await RunJobAsync(client, tenant.Tenant, new { kind = "Restore", product = "GoogleWorkspace", variant = "restore" });
        AssertRestoredCopyIsTheSource(tenant.Tenant, restore);
        var audit = await Http.OkAsync(await client.GetAsync($"/api/tenants/{tenant.Tenant}/ekm/audit"));
        Assert.True(audit.GetProperty("chainValid").GetBoolean());
    }

    private async Task<TenantAdminKey> EnabledTenantAsync()
    {
        var tenant = _cluster.Keys.NewTenantAdmin();
        var entry = _cluster.Live[0];
        using var support = ProcessCluster.Client(entry, _cluster.Keys.Support);
        await Http.OkAsync(await support.PutAsJsonAsync($"/api/support/tenants/{tenant.Tenant}/ekm/availability", new { activated = true }));
        using var customer = new CustomerKms(_cluster.Kms);
        var keyArn = await UsableKeyAsync(customer, tenant);
        using var admin = ProcessCluster.Client(entry, tenant.Key);
        var terms = (await Http.OkAsync(await admin.GetAsync("/api/ekm/terms"))).GetProperty("version").GetString();
        await Http.OkAsync(await admin.PostAsJsonAsync($"/api/tenants/{tenant.Tenant}/ekm/enable", new { keyArn, acceptTerms = true, termsVersion = terms }));
        return tenant;
    }

    private async Task<string> UsableKeyAsync(CustomerKms customer, TenantAdminKey tenant)
    {
        using var admin = ProcessCluster.Client(_cluster.Live[0], tenant.Key);
        var keyArn = await customer.CreateKeyAsync();
        var policy = await Http.OkAsync(await admin.GetAsync($"/api/tenants/{tenant.Tenant}/ekm/key-policy"));
        await customer.AdmitVendorAsync(keyArn, policy.GetProperty("statements"));
        return keyArn;
    }

    private static async Task<string> StartJobAsync(HttpClient client, string tenant, object spec)
    {
        var started = await client.PostAsJsonAsync($"/api/tenants/{tenant}/jobs", spec);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        return started.Headers.Location!.ToString();
    }

    private static async Task<JsonElement> RunJobAsync(HttpClient client, string tenant, object spec)
    {
        var done = await WaitForAsync(client, await StartJobAsync(client, tenant, spec), s => s.GetProperty("state").GetString() != "Running");
        Assert.Equal("Succeeded", done.GetProperty("state").GetString());
        return done;
    }

    /// <summary>Polls a status URL until <paramref name="until"/> holds; 503s during a failover are waited out.</summary>
    private static async Task<JsonElement> WaitForAsync(HttpClient client, string url, Func<JsonElement, bool> until, List<HttpResponseMessage>? answers = null)
    {
        for (var deadline = DateTime.UtcNow + Patience; DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            var response = await client.GetAsync(url);
            answers?.Add(response);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                if (until(json.RootElement))
                {
                    return json.RootElement.Clone();
                }
            }
        }

        throw new TimeoutException($"{url} did not reach the expected state within {Patience}");
    }

    private static async Task AssertOnlySuccessOrServiceUnavailableAsync(IEnumerable<HttpResponseMessage> answers)
    {
        foreach (var answer in answers.Where(a => a.StatusCode != HttpStatusCode.OK))
        {
            await ProblemAssert.IsProblemAsync(answer, HttpStatusCode.ServiceUnavailable, ProblemSlugs.ServiceUnavailable);
        }
    }

    /// <summary>Every restored file equals the customer's live item it came from; every live item was restored.</summary>
    private void AssertRestoredCopyIsTheSource(string tenant, JsonElement restore)
    {
        var restored = 0;
        var folders = restore.GetProperty("outputs").EnumerateArray().Select(o => Path.Combine(_cluster.DataDirectory, o.GetString()!)).ToList();
        foreach (var folder in folders)
        {
            var container = Path.GetFileName(folder);
            foreach (var file in Directory.GetFiles(folder))
            {
                var source = Path.Combine(_cluster.DataDirectory, "live", tenant, container, Path.GetFileName(file));
                Assert.True(File.ReadAllBytes(source).AsSpan().SequenceEqual(File.ReadAllBytes(file)), $"{file} differs from {source}");
                restored++;
            }
        }

        var live = Directory.GetFiles(Path.Combine(_cluster.DataDirectory, "live", tenant), "*", SearchOption.AllDirectories).Length;
        Assert.Equal(live, restored);
    }
}
