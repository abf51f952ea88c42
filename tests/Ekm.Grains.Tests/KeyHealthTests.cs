using Amazon.KeyManagementService.Model;
using Ekm.Grains.Keys;
using Ekm.Keys;
using Ekm.LocalKms.Faults;
using Ekm.LocalKms.Hosting;
using Ekm.Problems;

namespace Ekm.Grains.Tests;

/// <summary>DESIGN §4: what the health probe makes of each KMS answer, and what it tells watchers.</summary>
public sealed class KeyHealthTests : IDisposable
{
    private readonly TestDatabase _database = new();

    /// <summary>The ways a customer cuts the vendor off, each undone by the customer in its own way.</summary>
    public enum Revocation
    {
        DisableKey,
        ScheduleDeletion,
        RemoveVendorFromPolicy,
    }

    [Fact]
    public async Task CheckHealth_KeyUsable_HealthyAndRecorded()
    {
        await using var cluster = await StartAsync();
        var enabled = await EnableAsync(cluster, "health-ok");
        var grain = cluster.Grains.GetGrain<IKeyGrain>("health-ok");
        await using var watcher = await KeyEventWatcher.StartAsync(cluster, "health-ok");
        cluster.Time.Advance(TimeSpan.FromMinutes(5));
        var checkedAt = cluster.Time.GetUtcNow();

        var health = await grain.CheckHealthAsync("admin");

        Assert.Equal(new KeyHealth(KeyHealthStatus.Healthy, null, checkedAt, enabled.Health.Since), health);
        var status = await grain.GetStatusAsync();
        Assert.Equal(health, status.Health);
        Assert.Equal(enabled.KeyEpoch, status.KeyEpoch);

        // Watchers see the check; the audit log keeps only changes of verdict.
        var published = await watcher.NextAsync(KeyEventKind.HealthChecked);
        Assert.Equal(new KeyEvent("health-ok", KeyEventKind.HealthChecked, checkedAt, "admin", enabled.KeyArn, enabled.KeyEpoch, nameof(KeyHealthStatus.Healthy)), published);
        Assert.DoesNotContain((await grain.GetAuditAsync()).Entries, e => e.Event.Kind == KeyEventKind.HealthChecked);
    }

    [Theory]
    [InlineData(Revocation.DisableKey, ProblemSlugs.KeyDisabled)]
    [InlineData(Revocation.ScheduleDeletion, ProblemSlugs.KeyPendingDeletion)]
    [InlineData(Revocation.RemoveVendorFromPolicy, ProblemSlugs.KeyAccessDenied)]
    public async Task CheckHealth_CustomerRevokesThenRestores_RevokedThenRecoveredWithEvents(Revocation revocation, string reason)
    {
        var tenant = "revoke-" + revocation.ToString().ToLowerInvariant();
        await using var cluster = await StartAsync();
        var enabled = await EnableAsync(cluster, tenant);
        var grain = cluster.Grains.GetGrain<IKeyGrain>(tenant);
        await using var watcher = await KeyEventWatcher.StartAsync(cluster, tenant);

        await RevokeAsync(cluster, enabled.KeyArn!, revocation);
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        var revokedAt = cluster.Time.GetUtcNow();
        var revoked = await grain.CheckHealthAsync("admin");

        Assert.Equal(new KeyHealth(KeyHealthStatus.Revoked, reason, revokedAt, revokedAt), revoked);
        Assert.Equal(enabled.KeyEpoch + 1, (await grain.GetStatusAsync()).KeyEpoch);
        var published = await watcher.NextAsync(KeyEventKind.Revoked);
        Assert.Equal(new KeyEvent(tenant, KeyEventKind.Revoked, revokedAt, "admin", enabled.KeyArn, enabled.KeyEpoch + 1, reason), published);
        Assert.Equal(published, (await grain.GetAuditAsync()).Entries[0].Event);

        // Asking again while the key stays revoked is no new revocation: same epoch, same "since".
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        var still = await grain.CheckHealthAsync("admin");
        Assert.Equal(revoked with { CheckedAt = cluster.Time.GetUtcNow() }, still);
        Assert.Equal(enabled.KeyEpoch + 1, (await grain.GetStatusAsync()).KeyEpoch);

        await RestoreAsync(cluster, enabled.KeyArn!, tenant, revocation);
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        var recoveredAt = cluster.Time.GetUtcNow();
        var recovered = await grain.CheckHealthAsync("admin");

        Assert.Equal(new KeyHealth(KeyHealthStatus.Healthy, null, recoveredAt, recoveredAt), recovered);
        var back = await watcher.NextAsync(KeyEventKind.Recovered);
        Assert.Equal(new KeyEvent(tenant, KeyEventKind.Recovered, recoveredAt, "admin", enabled.KeyArn, enabled.KeyEpoch + 1, nameof(KeyHealthStatus.Healthy)), back);
        var audit = await grain.GetAuditAsync();
        Assert.Equal([KeyEventKind.Recovered, KeyEventKind.Revoked], audit.Entries.Take(2).Select(e => e.Event.Kind));
        Assert.True(audit.ChainValid);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CheckHealth_TransientKmsFault_UnavailableNotRevoked(bool throttled)
    {
        var tenant = throttled ? "transient-throttled" : "transient-internal";
        await using var cluster = await StartAsync();
        var enabled = await EnableAsync(cluster, tenant);
        var grain = cluster.Grains.GetGrain<IKeyGrain>(tenant);

        cluster.Kms.Faults.Add(Fault(enabled.KeyArn!, throttled));
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        var faultAt = cluster.Time.GetUtcNow();
        var health = await grain.CheckHealthAsync("admin");

        Assert.Equal(new KeyHealth(KeyHealthStatus.Unavailable, ProblemSlugs.KmsUnavailable, faultAt, faultAt), health);
        var status = await grain.GetStatusAsync();
        Assert.Equal(enabled.KeyEpoch, status.KeyEpoch);
        Assert.Equal(enabled.KeyArn, status.KeyArn);
        Assert.DoesNotContain((await grain.GetAuditAsync()).Entries, e => e.Event.Kind == KeyEventKind.Revoked);

        cluster.Kms.Faults.Clear();
        var healthy = await grain.CheckHealthAsync("admin");
        Assert.Equal(KeyHealthStatus.Healthy, healthy.Status);
        Assert.Equal(enabled.KeyEpoch, (await grain.GetStatusAsync()).KeyEpoch);
    }

    [Fact]
    public async Task CheckHealth_RevokedThenThrottled_StaysRevoked()
    {
        const string Tenant = "revoked-throttled";
        await using var cluster = await StartAsync();
        var enabled = await EnableAsync(cluster, Tenant);
        var grain = cluster.Grains.GetGrain<IKeyGrain>(Tenant);
        await RevokeAsync(cluster, enabled.KeyArn!, Revocation.DisableKey);
        var revoked = await grain.CheckHealthAsync("admin");
        Assert.Equal(KeyHealthStatus.Revoked, revoked.Status);

        cluster.Kms.Faults.Add(Fault(enabled.KeyArn!, throttled: true));
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        var health = await grain.CheckHealthAsync("admin");

        Assert.Equal(revoked with { CheckedAt = cluster.Time.GetUtcNow() }, health);
        Assert.Equal(enabled.KeyEpoch + 1, (await grain.GetStatusAsync()).KeyEpoch);
        Assert.Single((await grain.GetAuditAsync()).Entries, e => e.Event.Kind == KeyEventKind.Revoked);
    }

    [Fact]
    public async Task CheckHealth_RevokedThenRevokedForAnotherReason_NewReasonAuditedSameEpoch()
    {
        const string Tenant = "revoked-twice";
        await using var cluster = await StartAsync();
        var enabled = await EnableAsync(cluster, Tenant);
        var grain = cluster.Grains.GetGrain<IKeyGrain>(Tenant);
        await RevokeAsync(cluster, enabled.KeyArn!, Revocation.DisableKey);
        var disabled = await grain.CheckHealthAsync("admin");

        await RevokeAsync(cluster, enabled.KeyArn!, Revocation.ScheduleDeletion);
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        var deleting = await grain.CheckHealthAsync("admin");

        Assert.Equal(new KeyHealth(KeyHealthStatus.Revoked, ProblemSlugs.KeyPendingDeletion, cluster.Time.GetUtcNow(), disabled.Since), deleting);
        Assert.Equal(enabled.KeyEpoch + 1, (await grain.GetStatusAsync()).KeyEpoch);
        var newest = (await grain.GetAuditAsync()).Entries[0].Event;
        Assert.Equal((KeyEventKind.HealthChecked, ProblemSlugs.KeyPendingDeletion), (newest.Kind, newest.Detail));
    }

    [Fact]
    public async Task HealthReminder_KeyDisabled_RevokedWithoutAnyoneAsking()
    {
        const string Tenant = "probed-by-reminder";
        var period = TimeSpan.FromMinutes(1);
        await using var cluster = await SqliteCluster.StartAsync(_database.Path, keyOptions: new KeyOptions { HealthCheckPeriod = period });
        var enabled = await EnableAsync(cluster, Tenant);
        await using var watcher = await KeyEventWatcher.StartAsync(cluster, Tenant);
        await RevokeAsync(cluster, enabled.KeyArn!, Revocation.DisableKey);

        // The reminder service runs on the test clock: one period on, the probe's tick is due.
        cluster.Time.Advance(period);
        var revoked = await watcher.NextAsync(KeyEventKind.Revoked);

        Assert.Equal("health-probe", revoked.Actor);
        Assert.Equal(ProblemSlugs.KeyDisabled, revoked.Detail);
        var status = await cluster.Grains.GetGrain<IKeyGrain>(Tenant).GetStatusAsync();
        Assert.Equal(KeyHealthStatus.Revoked, status.Health.Status);
        Assert.Equal(enabled.KeyEpoch + 1, status.KeyEpoch);
    }

    public void Dispose() => _database.Dispose();

    /// <summary>A cluster whose health reminder does not tick during a test: every verdict comes from the test's own check.</summary>
    private Task<SqliteCluster> StartAsync() =>
        SqliteCluster.StartAsync(_database.Path, keyOptions: new KeyOptions { HealthCheckPeriod = TimeSpan.FromDays(1) });

    private static async Task<TenantKeyStatus> EnableAsync(SqliteCluster cluster, string tenant) =>
        await CustomerKeys.EnableEkmAsync(cluster, tenant, await CustomerKeys.CreateCustomerKeyAsync(cluster, tenant));

    private static FaultRule Fault(string keyArn, bool throttled) => throttled
        ? new FaultRule { Operation = "Decrypt", KeyId = keyArn, ThrottleRate = 1 }
        : new FaultRule { Operation = "Decrypt", KeyId = keyArn, InternalErrorRate = 1 };

    private static async Task RevokeAsync(SqliteCluster cluster, string keyArn, Revocation revocation)
    {
        using var customer = cluster.ClientFor(LocalKmsAccounts.CustomerAAccountId);
        switch (revocation)
        {
            case Revocation.DisableKey:
                await customer.DisableKeyAsync(new DisableKeyRequest { KeyId = keyArn });
                break;
            case Revocation.ScheduleDeletion:
                await customer.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyArn, PendingWindowInDays = 7 });
                break;
            default:
                await CustomerKeys.PutPolicyAsync(cluster, keyArn, CustomerKeys.PolicyWithoutVendor());
                break;
        }
    }

    private static async Task RestoreAsync(SqliteCluster cluster, string keyArn, string tenant, Revocation revocation)
    {
        using var customer = cluster.ClientFor(LocalKmsAccounts.CustomerAAccountId);
        switch (revocation)
        {
            case Revocation.DisableKey:
                await customer.EnableKeyAsync(new EnableKeyRequest { KeyId = keyArn });
                break;
            case Revocation.ScheduleDeletion:
                // As in AWS, a key whose deletion is cancelled comes back disabled.
                await customer.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = keyArn });
                await customer.EnableKeyAsync(new EnableKeyRequest { KeyId = keyArn });
                break;
            default:
                await CustomerKeys.PutPolicyAsync(cluster, keyArn, CustomerKeys.PolicyWithVendor(tenant));
                break;
        }
    }
}
