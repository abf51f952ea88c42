using Ekm.Grains.Jobs;
using Ekm.Jobs;

namespace Ekm.Grains.Tests;

/// <summary>
/// One cluster, one enabled and backed-up tenant per product, shared by the table: every workflow
/// of DESIGN §6 runs as a gated job for every product.
/// </summary>
public sealed class WorkflowFixture : IAsyncLifetime, IDisposable
{
    private readonly TestDatabase _database = new();

    internal SqliteCluster Cluster { get; private set; } = null!;

    public static string TenantOf(Product product) => "table-" + product.ToString().ToLowerInvariant();

    public async Task InitializeAsync()
    {
        Cluster = await SqliteCluster.StartAsync(_database.Path);
        foreach (var product in Enum.GetValues<Product>())
        {
            var tenant = TenantOf(product);
            await CustomerKeys.EnableEkmAsync(Cluster, tenant, await CustomerKeys.CreateCustomerKeyAsync(Cluster, tenant));
            var backup = Cluster.Grains.GetGrain<IJobGrain>(Guid.NewGuid().ToString("N"));
            await backup.StartAsync(tenant, new JobSpec(JobKind.Backup, product, "manual"));
            await backup.WhenFinishedAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Dispose();
    }

    public void Dispose() => _database.Dispose();
}

public sealed class WorkflowTableTests(WorkflowFixture fixture) : IClassFixture<WorkflowFixture>
{
    public static TheoryData<JobKind, string, Product> EveryWorkflow()
    {
        var rows = new TheoryData<JobKind, string, Product>();
        foreach (var (kind, variants) in JobCatalog.Variants)
        {
            foreach (var variant in variants)
            {
                foreach (var product in Enum.GetValues<Product>())
                {
                    rows.Add(kind, variant, product);
                }
            }
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(EveryWorkflow))]
    public async Task Workflow_ForEveryProduct_RunsAsAGatedSessionOfOperations(JobKind kind, string variant, Product product)
    {
        var tenant = WorkflowFixture.TenantOf(product);
        var key = fixture.Cluster.Grains.GetGrain<Ekm.Keys.IKeyGrain>(tenant);
        var epoch = (await key.GetStatusAsync()).KeyEpoch;
        var job = fixture.Cluster.Grains.GetGrain<IJobGrain>(Guid.NewGuid().ToString("N"));

        var spec = new JobSpec(kind, product, variant);

        // Legal hold copies exist for mailboxes only: Entra ID has none, and the job says so.
        if (kind == JobKind.LegalHoldDownload && product == Product.EntraId)
        {
            var refusal = await Assert.ThrowsAsync<Ekm.Problems.EkmProblemException>(() => job.StartAsync(tenant, spec));
            Assert.Equal(Ekm.Problems.ProblemSlugs.NothingToRestore, refusal.Slug);
            return;
        }

        await job.StartAsync(tenant, spec);
        var outcome = (await job.WhenFinishedAsync())!;

        Assert.Equal(JobState.Succeeded, outcome.State);
        Assert.True(outcome.OperationsTotal > 0);
        Assert.Equal(outcome.OperationsTotal, outcome.OperationsDone);
        Assert.Equal(epoch, (await key.GetStatusAsync()).KeyEpoch);
    }
}
