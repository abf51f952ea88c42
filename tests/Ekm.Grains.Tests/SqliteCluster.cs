using Ekm.Grains;
using Ekm.Grains.Telemetry;
using Ekm.Host.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace Ekm.Grains.Tests;

/// <summary>
/// An in-process Orleans cluster whose grain storage is Orleans ADO.NET on a real SQLite file.
/// Starting a second cluster on the same file is a restart of the service.
/// </summary>
internal sealed class SqliteCluster : IAsyncDisposable
{
    private SqliteCluster(InProcessTestCluster cluster, FakeTimeProvider time)
    {
        Cluster = cluster;
        Time = time;
    }

    public InProcessTestCluster Cluster { get; }

    public FakeTimeProvider Time { get; }

    public IGrainFactory Grains => Cluster.Client;

    public static async Task<SqliteCluster> StartAsync(string databasePath, FakeTimeProvider? time = null)
    {
        time ??= new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));
        var connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath }.ToString();
        await SqliteSchema.ApplyAsync(connectionString, CancellationToken.None);

        var builder = new InProcessTestClusterBuilder(1);

        // Stored rows are keyed by service id: a restart must keep it, as the real host does.
        builder.Options.ServiceId = "ekm-grain-tests";
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddAdoNetGrainStorage(StorageNames.GrainStorage, o =>
            {
                o.Invariant = OrleansHostOptions.SqliteInvariant;
                o.ConnectionString = connectionString;
            });
            silo.Services.AddSingleton<TimeProvider>(time);
            silo.Services.AddSingleton<EkmMetrics>();
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new SqliteCluster(cluster, time);
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
