using Ekm.Host.Auth;
using Ekm.Host.Kms;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Ekm.Host.Hosting;

/// <summary>
/// Tells the person who started the host where everything listens and which key to use. It goes
/// to the console, not to the log: the development key must not travel to log sinks.
/// </summary>
internal sealed class StartupBanner(
    IServer server,
    IOptions<OrleansHostOptions> orleans,
    GrainStorageSettings storage,
    HostPaths paths,
    DevelopmentKey developmentKey,
    EmbeddedLocalKms localKms,
    IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Print);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Print()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
        var http = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal)) ?? addresses.FirstOrDefault() ?? "(in-process test server)";
        var o = orleans.Value;
        var lines = new List<string>
        {
            "Ekm.Orleans is running.",
            $"  Gateway:   {string.Join(" ", addresses.DefaultIfEmpty(http))}   OpenAPI: {http}/openapi/v1.json",
            $"  Dashboard: {http}/dashboard   (sign in with any user name and an API key as the password)",
            $"  Health:    {http}/health   {http}/health/live   {http}/health/ready",
            $"  Metrics:   {http}/metrics   (Prometheus; bearer API key with the Operator or Support role)",
            $"  Silo:      127.0.0.1:{o.SiloPort}   Orleans gateway: 127.0.0.1:{o.GatewayPort}   cluster '{o.ClusterId}', service '{o.ServiceId}'",
            $"  Storage:   {storage.Describe()}",
            $"  Data:      {paths.DataDirectory}",
        };
        if (localKms.Enabled)
        {
            lines.Add($"  Local KMS: {localKms.Server.Endpoint}   (AWS JSON 1.1; e.g. aws kms list-keys --endpoint-url {localKms.Server.Endpoint} --region us-east-1)");
            foreach (var account in localKms.Server.Accounts)
            {
                lines.Add($"    account {account.AccountId} ({account.Name}): access key {account.AccessKeys[0].AccessKeyId}, secret {account.AccessKeys[0].SecretAccessKey}");
            }
        }

        if (developmentKey.NewlyIssuedKey is { } key)
        {
            developmentKey.Keep();
            lines.Add($"  Development API key: {key}");
            lines.Add($"    (every role, every tenant; shown only now, only its hash is kept in {developmentKey.FilePath})");
            lines.Add($"    try: curl -H \"Authorization: Bearer {key}\" {http}/api/tenants/contoso/ekm");
        }
        else if (developmentKey.Hash is not null)
        {
            lines.Add($"  Development API key: the one printed at first start (delete {developmentKey.FilePath} and restart to issue a new one)");
        }

        lines.Add("Press Ctrl+C to stop.");
        Console.Out.WriteLine(string.Join(Environment.NewLine, lines));
        Console.Out.Flush();
    }
}
