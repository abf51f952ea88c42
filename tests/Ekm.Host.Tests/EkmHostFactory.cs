using Ekm.Host.Hosting;
using Ekm.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Ekm.Host.Tests;

/// <summary>
/// The real host (silo, ADO.NET storage on a SQLite file, gateway) in process, on its own data
/// directory and free ports. Two factories on the same directory, one after the other, are a
/// restart.
/// </summary>
internal sealed class EkmHostFactory(string dataDirectory, TestKeys keys, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    : WebApplicationFactory<Program>
{
    public TestKeys Keys { get; } = keys;

    /// <summary>Every log record the host writes, at every level, for tests that inspect logs.</summary>
    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("urls", "http://127.0.0.1:0");
        builder.UseSetting("Ekm:DataDirectory", dataDirectory);
        builder.UseSetting("Ekm:Auth:DevelopmentKey", "false");
        builder.UseSetting("Ekm:LocalKms:Enabled", "true");
        builder.UseSetting("Ekm:LocalKms:Port", "0");
        builder.UseSetting("Orleans:ClusterId", "test-" + Guid.NewGuid().ToString("N"));
        var ports = HostPorts.Free();
        builder.UseSetting("Orleans:SiloPort", ports.Silo.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:GatewayPort", ports.OrleansGateway.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (key, value) in Keys.Settings().Concat(settings ?? []))
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging
            .AddProvider(Logs)
            .AddFilter<CapturedLogs>(null, LogLevel.Trace));
    }

    public HttpClient ClientWith(string apiKey)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = TestKeys.Bearer(apiKey);
        return client;
    }
}
