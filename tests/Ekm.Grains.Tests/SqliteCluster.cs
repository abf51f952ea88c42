using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Ekm.Grains.Jobs;
using Ekm.Grains.Keys;
using Ekm.Grains.Kms;
using Ekm.Grains.Telemetry;
using Ekm.Host.Hosting;
using Ekm.Keys;
using Ekm.LocalKms.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace Ekm.Grains.Tests;

/// <summary>
/// An in-process Orleans cluster whose grain storage is Orleans ADO.NET on a real SQLite file and
/// whose KMS is the bundled local KMS over HTTP through the AWS SDK. Starting a second cluster on
/// the same file and KMS is a restart of the service.
/// </summary>
internal sealed class SqliteCluster : IAsyncDisposable
{
    private readonly bool _ownsKms;

    private SqliteCluster(InProcessTestCluster cluster, FakeTimeProvider time, LocalKmsServer kms, bool ownsKms)
    {
        Cluster = cluster;
        Time = time;
        Kms = kms;
        _ownsKms = ownsKms;
    }

    public InProcessTestCluster Cluster { get; }

    /// <summary>
    /// The silos' only clock: registered as their <see cref="TimeProvider"/>, it drives Orleans' own
    /// timers too — reminders and memory-stream pulling included. Advancing it fires them; while it
    /// stands still, no reminder ticks and no stream event is delivered.
    /// </summary>
    public FakeTimeProvider Time { get; }

    public LocalKmsServer Kms { get; }

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>
    /// Starts the cluster. A pass of <paramref name="kms"/> from an earlier cluster is a restart;
    /// <paramref name="keyOptions"/> with a health-check period under Orleans' reminder minimum lowers that minimum to it.
    /// </summary>
    public static async Task<SqliteCluster> StartAsync(string databasePath, FakeTimeProvider? time = null, LocalKmsServer? kms = null, short silos = 1,
        KeyOptions? keyOptions = null, TimeSpan? kmsTimeout = null)
    {
        keyOptions ??= new KeyOptions();
        time ??= new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));
        var ownsKms = kms is null;
        kms ??= await LocalKmsServer.StartAsync(new LocalKmsOptions { Port = 0 });
        var clients = new LocalKmsClients(kms, kmsTimeout);
        var vendorKey = await VendorKeyAsync(clients.ForRegion(LocalKmsFixtureRegion));

        var connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath }.ToString();
        await SqliteSchema.ApplyAsync(connectionString, CancellationToken.None);

        var builder = new InProcessTestClusterBuilder(silos);

        // Stored rows are keyed by service id: a restart must keep it, as the real host does.
        builder.Options.ServiceId = "ekm-grain-tests";
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddAdoNetGrainStorage(StorageNames.GrainStorage, o =>
            {
                o.Invariant = ClusterProviders.SqliteInvariant;
                o.ConnectionString = connectionString;
            });
            silo.UseInMemoryReminderService();
            silo.AddMemoryStreams(KeyStreams.Provider);
            silo.AddMemoryGrainStorage("PubSubStore");
            silo.Services.AddSingleton<TimeProvider>(time);
            silo.Services.AddSingleton<EkmMetrics>();
            silo.Services.AddSingleton<IKmsClientProvider>(clients);
            silo.Services.AddSingleton<IKms, AwsKms>();
            silo.Services.AddSingleton<KeyValidator>();
            silo.Services.AddSingleton<IVendorKey>(new FixedVendorKey(vendorKey));
            silo.Services.AddSingleton(Options.Create(keyOptions));
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromTicks(Math.Min(o.MinimumReminderPeriod.Ticks, keyOptions.HealthCheckPeriod.Ticks)));
            silo.Services.AddSingleton(Options.Create(new TermsOptions { Version = "v1" }));
            silo.Services.AddSingleton(Options.Create(new JobStorageOptions { Root = Path.GetDirectoryName(databasePath)! }));
        });

        // Tests watch a tenant's key events from the client.
        builder.ConfigureClient(client => client.AddMemoryStreams(KeyStreams.Provider));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new SqliteCluster(cluster, time, kms, ownsKms);
    }

    public const string LocalKmsFixtureRegion = "us-east-1";

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        if (_ownsKms)
        {
            await Kms.DisposeAsync();
        }
    }

    /// <summary>A client of the local KMS signing as the given account (customers set up their keys with it).</summary>
    public IAmazonKeyManagementService ClientFor(string accountId) => LocalKmsClients.Client(Kms, accountId, LocalKmsFixtureRegion);

    private static async Task<string> VendorKeyAsync(IAmazonKeyManagementService vendor)
    {
        const string Alias = "alias/ekm-vendor-key";
        try
        {
            return (await vendor.DescribeKeyAsync(new DescribeKeyRequest { KeyId = Alias })).KeyMetadata.Arn;
        }
        catch (NotFoundException)
        {
            var key = (await vendor.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
            await vendor.CreateAliasAsync(new CreateAliasRequest { AliasName = Alias, TargetKeyId = key.KeyId });
            return key.Arn;
        }
    }

    private sealed record FixedVendorKey(string KeyArn) : IVendorKey;

    private sealed class LocalKmsClients(LocalKmsServer server, TimeSpan? timeout = null) : IKmsClientProvider
    {
        public IAmazonKeyManagementService ForRegion(string region) =>
            Client(server, LocalKmsAccounts.VendorAccountId, string.IsNullOrEmpty(region) ? LocalKmsFixtureRegion : region, timeout);

        public static AmazonKeyManagementServiceClient Client(LocalKmsServer server, string accountId, string region, TimeSpan? timeout = null)
        {
            var key = server.Accounts.Single(a => a.AccountId == accountId).AccessKeys[0];
            var config = new AmazonKeyManagementServiceConfig { ServiceURL = server.Endpoint.ToString(), AuthenticationRegion = region, MaxErrorRetry = 1 };
            if (timeout is { } limit)
            {
                config.Timeout = limit;
            }

            return new AmazonKeyManagementServiceClient(new BasicAWSCredentials(key.AccessKeyId, key.SecretAccessKey), config);
        }
    }
}
