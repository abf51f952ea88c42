using Ekm.Keys;

namespace Ekm.Grains.Tests;

public sealed class KeyGrainTests : IDisposable
{
    private readonly TestDatabase _database = new();

    private string Database => _database.Path;

    [Fact]
    public async Task NewTenant_Status_IsCloudKeyManagementWithoutAvailability()
    {
        await using var cluster = await SqliteCluster.StartAsync(Database);
        var status = await cluster.Grains.GetGrain<IKeyGrain>("fresh").GetStatusAsync();

        Assert.Equal(KeyManagementMode.CloudKeyManagement, status.Mode);
        Assert.Equal(new EkmAvailability(false, null, null), status.Availability);
        Assert.Null(status.KeyArn);
        Assert.Empty(status.History);
        Assert.Equal(KeyHealth.NotChecked, status.Health);
    }

    [Fact]
    public async Task SetAvailability_ClusterRestarted_StateComesBackFromSqlite()
    {
        DateTimeOffset activatedAt;
        await using (var cluster = await SqliteCluster.StartAsync(Database))
        {
            activatedAt = cluster.Time.GetUtcNow();
            var status = await cluster.Grains.GetGrain<IKeyGrain>("contoso").SetAvailabilityAsync(true, "support-desk");
            Assert.Equal(new EkmAvailability(true, "support-desk", activatedAt), status.Availability);
        }

        await using var restarted = await SqliteCluster.StartAsync(Database);
        var read = await restarted.Grains.GetGrain<IKeyGrain>("contoso").GetStatusAsync();
        Assert.Equal(new EkmAvailability(true, "support-desk", activatedAt), read.Availability);
        Assert.Equal(KeyManagementMode.CloudKeyManagement, read.Mode);
    }

    [Fact]
    public async Task SetAvailability_SameValueAgain_KeepsWhoAndWhenOfTheRealChange()
    {
        await using var cluster = await SqliteCluster.StartAsync(Database);
        var grain = cluster.Grains.GetGrain<IKeyGrain>("fabrikam");
        var first = await grain.SetAvailabilityAsync(true, "alice");
        cluster.Time.Advance(TimeSpan.FromHours(1));
        var second = await grain.SetAvailabilityAsync(true, "bob");

        Assert.Equal(first.Availability, second.Availability);
        Assert.Equal("alice", second.Availability.ChangedBy);

        cluster.Time.Advance(TimeSpan.FromHours(1));
        var off = await grain.SetAvailabilityAsync(false, "bob");
        Assert.Equal(new EkmAvailability(false, "bob", cluster.Time.GetUtcNow()), off.Availability);
    }

    [Fact]
    public async Task Tenants_SameDatabase_DoNotSeeEachOther()
    {
        await using var cluster = await SqliteCluster.StartAsync(Database);
        await cluster.Grains.GetGrain<IKeyGrain>("tenant-a").SetAvailabilityAsync(true, "support");

        var other = await cluster.Grains.GetGrain<IKeyGrain>("tenant-b").GetStatusAsync();
        Assert.False(other.Availability.Activated);
    }

    public void Dispose() => _database.Dispose();
}
