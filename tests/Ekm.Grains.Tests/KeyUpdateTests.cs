using Amazon.KeyManagementService.Model;
using Ekm.Keys;
using Ekm.LocalKms.Faults;
using Ekm.LocalKms.Hosting;
using Ekm.Problems;
using Orleans.Runtime;

namespace Ekm.Grains.Tests;

public sealed class KeyUpdateTests : IDisposable
{
    private readonly TestDatabase _database = new();

    private string Database => _database.Path;

    [Fact]
    public async Task UpdateKey_ToAnotherGoodKey_MovesTheSameTenantKeyAndKeepsHistory()
    {
        await using var c = await SqliteCluster.StartAsync(Database);
        const string Tenant = "update-ok";
        var oldKey = await CustomerKeys.CreateCustomerKeyAsync(c, Tenant);
        var enabled = await CustomerKeys.EnableEkmAsync(c, Tenant, oldKey);
        var tenantKeyBefore = await StoredKeyState.UnwrapTenantKeyAsync(c, await StoredKeyState.ReadAsync(Database, Tenant), Tenant);
        var newKey = await CustomerKeys.CreateCustomerKeyAsync(c, Tenant);

        var updated = await c.Grains.GetGrain<IKeyGrain>(Tenant).UpdateKeyAsync(newKey, "admin");

        Assert.Equal(newKey, updated.KeyArn);
        Assert.Null(updated.PendingKeyArn);
        Assert.Equal(enabled.KeyEpoch + 1, updated.KeyEpoch);
        Assert.Collection(updated.History,
            first => Assert.Equal((oldKey, true), (first.KeyArn, first.To is not null)),
            second => Assert.Equal((newKey, false), (second.KeyArn, second.To is not null)));
        var stored = await StoredKeyState.ReadAsync(Database, Tenant);
        Assert.Equal(newKey, StoredKeyState.Text(stored, "WrappingKeyArn"));
        Assert.Equal(tenantKeyBefore, await StoredKeyState.UnwrapTenantKeyAsync(c, stored, Tenant));

        var audit = await c.Grains.GetGrain<IKeyGrain>(Tenant).GetAuditAsync();
        Assert.True(audit.ChainValid);
        Assert.Equal([KeyEventKind.KeyUpdated, KeyEventKind.KeyUpdateStarted], audit.Entries.Take(2).Select(e => e.Event.Kind));
    }

    [Fact]
    public async Task UpdateKey_OldKeyAlreadyDisabled_OldKeyUnavailableAndNothingChanges()
    {
        await using var c = await SqliteCluster.StartAsync(Database);
        const string Tenant = "update-old-gone";
        var oldKey = await CustomerKeys.CreateCustomerKeyAsync(c, Tenant);
        var before = await CustomerKeys.EnableEkmAsync(c, Tenant, oldKey);
        var newKey = await CustomerKeys.CreateCustomerKeyAsync(c, Tenant);
        using (var customer = c.ClientFor(LocalKmsAccounts.CustomerAAccountId))
        {
            await customer.DisableKeyAsync(new DisableKeyRequest { KeyId = oldKey });
        }

        var grain = c.Grains.GetGrain<IKeyGrain>(Tenant);
        var refusal = await Assert.ThrowsAsync<EkmProblemException>(() => grain.UpdateKeyAsync(newKey, "admin"));

        Assert.Equal(ProblemSlugs.OldKeyUnavailable, refusal.Slug);
        var after = await grain.GetStatusAsync();
        Assert.Equal(oldKey, after.KeyArn);
        Assert.Null(after.PendingKeyArn);
        Assert.Equal(before.KeyEpoch, after.KeyEpoch);
        Assert.Equal(oldKey, StoredKeyState.Text(await StoredKeyState.ReadAsync(Database, Tenant), "WrappingKeyArn"));
    }

    [Fact]
    public async Task UpdateKey_SiloKilledBetweenRewrapAndSwitch_CompletesOnReactivation()
    {
        await using var c = await SqliteCluster.StartAsync(Database, silos: 2);
        const string Tenant = "update-crash";
        var (oldKey, newKey, tenantKey) = await UpdateInterruptedByCrashAsync(c, Tenant);

        var status = await RetryAfterCrashAsync(() => c.Grains.GetGrain<IKeyGrain>(Tenant).GetStatusAsync());

        Assert.Equal(newKey, status.KeyArn);
        Assert.Null(status.PendingKeyArn);
        Assert.Equal([oldKey, newKey], status.History.Select(h => h.KeyArn));
        var stored = await StoredKeyState.ReadAsync(Database, Tenant);
        Assert.Equal(tenantKey, await StoredKeyState.UnwrapTenantKeyAsync(c, stored, Tenant));
    }

    [Fact]
    public async Task UpdateKey_SiloKilledThenOldKeyDisabled_RollsBackCleanlyOnReactivation()
    {
        await using var c = await SqliteCluster.StartAsync(Database, silos: 2);
        const string Tenant = "update-crash-rollback";
        var (oldKey, newKey, _) = await UpdateInterruptedByCrashAsync(c, Tenant);
        using (var customer = c.ClientFor(LocalKmsAccounts.CustomerAAccountId))
        {
            await customer.DisableKeyAsync(new DisableKeyRequest { KeyId = oldKey });
        }

        var status = await RetryAfterCrashAsync(() => c.Grains.GetGrain<IKeyGrain>(Tenant).GetStatusAsync());

        Assert.Equal(oldKey, status.KeyArn);
        Assert.Null(status.PendingKeyArn);
        Assert.Equal([oldKey], status.History.Select(h => h.KeyArn));
        var audit = await c.Grains.GetGrain<IKeyGrain>(Tenant).GetAuditAsync();
        var rolledBack = audit.Entries.First(e => e.Event.Kind == KeyEventKind.KeyUpdateRolledBack);
        Assert.Equal(newKey, rolledBack.Event.KeyArn);
        Assert.True(audit.ChainValid);
    }

    public void Dispose() => _database.Dispose();

    /// <summary>
    /// Enables a tenant, starts an update, holds its ReEncrypt in the local KMS, and kills the
    /// silo that runs it: the update has been written down as pending, the switch has not happened.
    /// </summary>
    private async Task<(string OldKey, string NewKey, byte[] TenantKey)> UpdateInterruptedByCrashAsync(SqliteCluster c, string tenant)
    {
        var oldKey = await CustomerKeys.CreateCustomerKeyAsync(c, tenant);
        await CustomerKeys.EnableEkmAsync(c, tenant, oldKey);
        var tenantKey = await StoredKeyState.UnwrapTenantKeyAsync(c, await StoredKeyState.ReadAsync(Database, tenant), tenant);
        var newKey = await CustomerKeys.CreateCustomerKeyAsync(c, tenant);

        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        c.Kms.Faults.Add(new FaultRule { Operation = "ReEncrypt", KeyId = newKey, Latency = TimeSpan.FromSeconds(30), OnMatch = () => held.TrySetResult() });
        var grain = c.Grains.GetGrain<IKeyGrain>(tenant);
        var update = grain.UpdateKeyAsync(newKey, "admin");
        _ = update.ContinueWith(t => t.Exception, TaskScheduler.Default); // the caller of a dying silo gets an error; nobody waits for it
        await held.Task.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(newKey, StoredKeyState.Text(await StoredKeyState.ReadAsync(Database, tenant), "PendingKeyArn"));
        var host = await c.Cluster.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(grain);
        var silo = c.Cluster.Silos.Single(s => s.SiloAddress.Equals(host));
        await c.Cluster.KillSiloAsync(silo);
        c.Kms.Faults.Clear();
        return (oldKey, newKey, tenantKey);
    }

    /// <summary>Calls to a grain that lived on a killed silo fail until the cluster notices; a caller retries.</summary>
    private static async Task<T> RetryAfterCrashAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (attempt < 10 && ex is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException)
            {
                // The next attempt is routed again once membership has declared the silo dead.
            }
        }
    }
}
