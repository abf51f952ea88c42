using System.Net.Http.Headers;
using System.Security.Cryptography;
using Ekm.Host.Hosting;
using Ekm.LocalKms.Hosting;
using Ekm.Testing;

namespace Ekm.Host.Tests.Cluster;

/// <summary>
/// <c>Ekm.Host</c> as a cluster of real processes on loopback, switched to PostgreSQL by
/// configuration only: one database (a throwaway server's), one shared data directory, one local
/// KMS (in this test process, reached over HTTP like AWS KMS), and silos the test starts and kills.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    private readonly List<ChildHostProcess> _silos = [];
    private readonly TempDirectory _data = new();
    private readonly string[] _settings;

    private ProcessCluster(LocalKmsServer kms, string connectionString, string vendorKeyArn, string[] extraSettings)
    {
        Kms = kms;
        var vendor = kms.Accounts.Single(a => a.AccountId == LocalKmsAccounts.VendorAccountId).AccessKeys[0];
        const string Providers = "AdoNet";
        _settings =
        [
            // The vendor side of KMS, as production configures it for AWS.
            "--Ekm:LocalKms:Enabled=false",
            $"--Ekm:Kms:ServiceUrl={kms.Endpoint}",
            $"--Ekm:Kms:AccessKeyId={vendor.AccessKeyId}",
            $"--Ekm:Kms:SecretAccessKey={vendor.SecretAccessKey}",
            $"--Ekm:Kms:VendorKeyArn={vendorKeyArn}",
            $"--Ekm:Kms:VendorAccountId={LocalKmsAccounts.VendorAccountId}",
            "--Ekm:Auth:DevelopmentKey=false",
            $"--Ekm:Downloads:SigningKey={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
            // Cluster mode: Orleans' own provider sections, nothing else.
            $"--Orleans:ClusterId=ekm-{Guid.NewGuid().ToString("N")[..8]}",
            $"--Orleans:Clustering:ProviderType={Providers}",
            $"--Orleans:Clustering:Invariant={ClusterProviders.PostgresInvariant}",
            $"--Orleans:Clustering:ConnectionName={ClusterProviders.ConnectionName}",
            $"--Orleans:Reminders:ProviderType={Providers}",
            $"--Orleans:Reminders:Invariant={ClusterProviders.PostgresInvariant}",
            $"--Orleans:Reminders:ConnectionName={ClusterProviders.ConnectionName}",
            $"--Orleans:GrainStorage:ekm:ProviderType={Providers}",
            $"--Orleans:GrainStorage:ekm:Invariant={ClusterProviders.PostgresInvariant}",
            $"--Orleans:GrainStorage:ekm:ConnectionName={ClusterProviders.ConnectionName}",
            $"--ConnectionStrings:{ClusterProviders.ConnectionName}={connectionString}",
            .. Keys.Settings().Select(s => $"--{s.Key}={s.Value}"),
            .. extraSettings,
        ];
    }

    public LocalKmsServer Kms { get; }

    public TestKeys Keys { get; } = new();

    /// <summary>Shared by every silo: the backup store, live data and exports.</summary>
    public string DataDirectory => _data.Path;

    /// <summary>Silos still running, oldest first.</summary>
    public IReadOnlyList<ChildHostProcess> Live => [.. _silos.Where(s => !s.HasExited)];

    /// <param name="postgres">The server the cluster's database is made on.</param>
    /// <param name="silos">How many silos to start.</param>
    /// <param name="extraSettings">More <c>--key=value</c> settings for every silo (TLS, say).</param>
    public static async Task<ProcessCluster> StartAsync(PostgresServer postgres, int silos, params string[] extraSettings)
    {
        var connectionString = await postgres.CreateDatabaseAsync("ekm_" + Guid.NewGuid().ToString("N")[..12]);
        var kms = await LocalKmsServer.StartAsync(new LocalKmsOptions { Port = 0 });
        using var vendor = new CustomerKms(kms, LocalKmsAccounts.VendorAccountId);
        var cluster = new ProcessCluster(kms, connectionString, await vendor.CreateKeyAsync(), extraSettings);
        await cluster.EnsureLiveAsync(silos);
        return cluster;
    }

    /// <summary>Starts silos until <paramref name="count"/> run, all at once.</summary>
    public async Task EnsureLiveAsync(int count)
    {
        var started = Enumerable.Range(0, Math.Max(0, count - Live.Count))
            .Select(_ => HostProcess.Start(_data.Path, null, null, _settings))
            .ToList();
        _silos.AddRange(started);
        await Task.WhenAll(started.Select(s => s.WaitUntilReadyAsync()));
    }

    /// <summary>The live silo whose log shows <paramref name="fragment"/> (where a grain ran, say).</summary>
    public async Task<ChildHostProcess> LoggedByAsync(string fragment)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            if (Live.FirstOrDefault(s => s.Stdout.Contains(fragment, StringComparison.Ordinal)) is { } silo)
            {
                return silo;
            }
        }

        throw new TimeoutException($"no live silo logged '{fragment}'");
    }

    public static HttpClient Client(ChildHostProcess silo, string apiKey) => new()
    {
        BaseAddress = silo.BaseAddress,
        Timeout = TimeSpan.FromSeconds(90),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", apiKey) },
    };

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        await Kms.DisposeAsync();
        _data.Dispose();
    }
}
