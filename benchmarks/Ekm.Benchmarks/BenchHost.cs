using System.Diagnostics;
using System.Globalization;
using Ekm.Host.Hosting;
using Ekm.Host.Kms;
using Ekm.LocalKms.Hosting;
using Ekm.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ekm.Benchmarks;

/// <summary>
/// The embedded host, composed exactly as <c>dotnet run --project src/Ekm.Host</c> composes it
/// (one silo, SQLite grain storage, the local KMS over HTTP), in this process and on a temp data
/// directory, so benchmarks call grains the way the gateway does.
/// </summary>
internal sealed class BenchHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _data;

    private BenchHost(WebApplication app, string data, TimeSpan startup)
    {
        _app = app;
        _data = data;
        StartupTime = startup;
    }

    /// <summary>From building the host to the silo active and the gateway listening.</summary>
    public TimeSpan StartupTime { get; }

    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The embedded local KMS: faults (latency) and call counters.</summary>
    public LocalKmsServer Kms => _app.Services.GetRequiredService<EmbeddedLocalKms>().Server;

    public IServiceProvider Services => _app.Services;

    public string DataDirectory => _data;

    /// <param name="settings">More or different configuration, e.g. <c>("Ekm:Keys:HealthCheckPeriod", "01:00:00")</c>.</param>
    public static async Task<BenchHost> StartAsync(params (string Key, string Value)[] settings)
    {
        var clock = Stopwatch.StartNew();
        var data = Directory.CreateTempSubdirectory("ekm-bench-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        var ports = HostPorts.Free();
        var configuration = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Ekm:DataDirectory"] = data,
            ["Ekm:Auth:DevelopmentKey"] = "false",
            ["Ekm:LocalKms:Enabled"] = "true",
            ["Ekm:LocalKms:Port"] = "0",
            ["Ekm:LocalKms:Durable"] = "false",
            ["Ekm:Kms:VendorAccountId"] = LocalKmsAccounts.VendorAccountId,
            ["Orleans:ClusterId"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
            ["Orleans:SiloPort"] = ports.Silo.ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = ports.OrleansGateway.ToString(CultureInfo.InvariantCulture),
            // A key nobody holds: the host refuses to start without one, and benchmarks call grains, not the API.
            ["Ekm:Auth:ApiKeys:0:Name"] = "bench",
            ["Ekm:Auth:ApiKeys:0:Sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Ekm:Auth:ApiKeys:0:Roles:0"] = "Operator",
        };
        foreach (var (key, value) in settings)
        {
            configuration[key] = value; // later settings win
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddEkmHost();
        var app = builder.Build();
        app.MapEkmHost();
        await app.StartAsync();
        return new BenchHost(app, data, clock.Elapsed);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // A file still closing: the temp cleaner takes it.
        }
    }
}
