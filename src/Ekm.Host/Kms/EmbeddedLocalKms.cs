using Ekm.Host.Hosting;
using Ekm.LocalKms.Hosting;
using Microsoft.Extensions.Options;

namespace Ekm.Host.Kms;

/// <summary>
/// Runs the bundled local KMS on its own loopback port for the life of the host, when
/// <c>Ekm:LocalKms:Enabled</c>. Registered before the silo so it is up before any grain calls it.
/// Its database is sealed with <c>Ekm:LocalKms:StoreKey</c> when set, else with the key file
/// <c>{DataDirectory}/localkms.db.key</c> created on first start.
/// </summary>
internal sealed class EmbeddedLocalKms(IOptions<EmbeddedLocalKmsOptions> options, HostPaths paths) : IHostedService, IAsyncDisposable
{
    private LocalKmsServer? _server;

    public bool Enabled => options.Value.Enabled;

    /// <summary>The running server; only after the host has started.</summary>
    public LocalKmsServer Server => _server ?? throw new InvalidOperationException("The local KMS is not running.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }

        _server = await LocalKmsServer.StartAsync(new LocalKmsOptions
        {
            Port = options.Value.Port,
            DataFile = options.Value.Durable ? paths.LocalKmsDatabase : null,
            StoreKey = options.Value.StoreKey,
        });
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.DisposeAsync();
        }
    }
}
