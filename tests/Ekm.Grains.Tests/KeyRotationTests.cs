using Amazon.KeyManagementService.Model;
using Ekm.Grains.Jobs.Data;
using Ekm.Jobs;
using Ekm.Keys;
using Ekm.LocalKms.Hosting;

namespace Ekm.Grains.Tests;

/// <summary>Issue 10: the customer rotating the key inside AWS KMS is transparent to the service.</summary>
public sealed class KeyRotationTests : IDisposable
{
    private readonly TestDatabase _database = new();

    [Fact]
    public async Task CustomerRotatesOnDemandTwice_OldBackupsRestore_NewBackupsWork_HealthStaysHealthy()
    {
        await using var c = await SqliteCluster.StartAsync(_database.Path);
        const string Tenant = "rotation";
        var key = await CustomerKeys.CreateCustomerKeyAsync(c, Tenant);
        await CustomerKeys.EnableEkmAsync(c, Tenant, key);
        var first = await JobTests.RunAsync(c, Tenant, new JobSpec(JobKind.Backup, Product.Microsoft365, "manual"));
        Assert.Equal(JobState.Succeeded, first.State);

        using (var customer = c.ClientFor(LocalKmsAccounts.CustomerAAccountId))
        {
            await customer.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key });
            await customer.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key });
            await customer.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key, RotationPeriodInDays = 180 });
        }

        var grain = c.Grains.GetGrain<IKeyGrain>(Tenant);
        var health = await grain.CheckHealthAsync("admin");
        var second = await JobTests.RunAsync(c, Tenant, new JobSpec(JobKind.Backup, Product.GoogleWorkspace, "manual"));
        var restore = await JobTests.RunAsync(c, Tenant, new JobSpec(JobKind.Restore, Product.Microsoft365, "restore"));

        Assert.Equal(KeyHealthStatus.Healthy, health.Status);
        Assert.Equal(JobState.Succeeded, second.State);
        Assert.Equal(JobState.Succeeded, restore.State);
        foreach (var container in SyntheticSource.Containers(Tenant, Product.Microsoft365))
        {
            foreach (var item in SyntheticSource.Items(Tenant, Product.Microsoft365, container.Id))
            {
                var copy = Path.Combine(Path.GetDirectoryName(_database.Path)!, "exports", Tenant, restore.JobId, container.Id, item.ItemId);
                Assert.Equal(SyntheticSource.Content(Tenant, Product.Microsoft365, item), await File.ReadAllBytesAsync(copy));
            }
        }

        var status = await grain.GetStatusAsync();
        Assert.Equal(key, status.KeyArn);
        Assert.Equal(KeyHealthStatus.Healthy, status.Health.Status);
        Assert.DoesNotContain((await grain.GetAuditAsync()).Entries, e => e.Event.Kind == KeyEventKind.Revoked);
        Assert.NotNull(status.Rotation);
        Assert.True(status.Rotation.AutomaticRotationEnabled);
        Assert.Equal(180, status.Rotation.RotationPeriodInDays);
        Assert.NotNull(status.Rotation.LastOnDemandRotation);
    }

    public void Dispose() => _database.Dispose();
}
