using Ekm.Keys;

namespace Ekm.Grains.Tests;

/// <summary>Many admins (or retrying clients) at once: the KeyGrain ends in one consistent state.</summary>
public sealed class ConcurrencyTests : IDisposable
{
    private const int Callers = 100;

    private readonly TestDatabase _database = new();

    [Fact]
    public async Task Enable_HundredConcurrentSameRequests_AllSucceedAndEnableOnce()
    {
        const string Tenant = "enabled-at-once";
        await using var cluster = await SqliteCluster.StartAsync(_database.Path);
        var keyArn = await CustomerKeys.CreateCustomerKeyAsync(cluster, Tenant);
        var grain = cluster.Grains.GetGrain<IKeyGrain>(Tenant);
        await grain.SetAvailabilityAsync(true, "support");
        var request = new EnableEkm(keyArn, true, CustomerKeys.TermsVersion, "admin");

        var answers = await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => grain.EnableAsync(request)));

        var status = await grain.GetStatusAsync();
        Assert.All(answers, a =>
        {
            // The same request again is answered with the state the first one produced.
            Assert.Equal((status.Mode, status.KeyArn, status.KeyEpoch, status.Terms, status.Health), (a.Mode, a.KeyArn, a.KeyEpoch, a.Terms, a.Health));
            Assert.Equal(status.History, a.History);
        });
        Assert.Equal(KeyManagementMode.EnterpriseKeyManagement, status.Mode);
        Assert.Equal(keyArn, status.KeyArn);
        Assert.Equal(1, status.KeyEpoch);
        Assert.Equal(new KeyArnPeriod(keyArn, cluster.Time.GetUtcNow(), null), Assert.Single(status.History));
        var audit = await grain.GetAuditAsync();
        Assert.True(audit.ChainValid);
        Assert.Single(audit.Entries, e => e.Event.Kind == KeyEventKind.EkmEnabled);
    }

    [Fact]
    public async Task UpdateKey_HundredConcurrentAlternatingKeys_OneOpenPeriodAndSameTenantKey()
    {
        const string Tenant = "updated-at-once";
        await using var cluster = await SqliteCluster.StartAsync(_database.Path);
        var enabled = await CustomerKeys.EnableEkmAsync(cluster, Tenant, await CustomerKeys.CreateCustomerKeyAsync(cluster, Tenant));
        string[] targets = [await CustomerKeys.CreateCustomerKeyAsync(cluster, Tenant), await CustomerKeys.CreateCustomerKeyAsync(cluster, Tenant)];
        var tenantKey = await StoredKeyState.UnwrapTenantKeyAsync(cluster, await StoredKeyState.ReadAsync(_database.Path, Tenant), Tenant);
        var grain = cluster.Grains.GetGrain<IKeyGrain>(Tenant);

        await Task.WhenAll(Enumerable.Range(0, Callers).Select(i => grain.UpdateKeyAsync(targets[i % 2], $"admin-{i}")));

        var status = await grain.GetStatusAsync();
        Assert.Contains(status.KeyArn, targets);
        Assert.Null(status.PendingKeyArn);
        Assert.Equal(status.KeyArn, Assert.Single(status.History, p => p.To is null).KeyArn);
        Assert.Equal(status.KeyArn, status.History[^1].KeyArn);
        for (var i = 0; i < status.History.Count - 1; i++)
        {
            // Each period ends where the next begins, and each is a real change of key.
            Assert.Equal(status.History[i + 1].From, status.History[i].To);
            Assert.NotEqual(status.History[i + 1].KeyArn, status.History[i].KeyArn);
        }

        var switches = status.History.Count - 1;
        Assert.InRange(switches, 1, Callers);
        Assert.Equal(enabled.KeyEpoch + switches, status.KeyEpoch);
        var audit = await grain.GetAuditAsync();
        Assert.True(audit.ChainValid);
        Assert.Equal(switches, audit.Entries.Count(e => e.Event.Kind == KeyEventKind.KeyUpdated));
        Assert.Equal(switches, audit.Entries.Count(e => e.Event.Kind == KeyEventKind.KeyUpdateStarted));
        Assert.DoesNotContain(audit.Entries, e => e.Event.Kind == KeyEventKind.KeyUpdateRolledBack);
        Assert.Equal(tenantKey, await StoredKeyState.UnwrapTenantKeyAsync(cluster, await StoredKeyState.ReadAsync(_database.Path, Tenant), Tenant));
    }

    public void Dispose() => _database.Dispose();
}
