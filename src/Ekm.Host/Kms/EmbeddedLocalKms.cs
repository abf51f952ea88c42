using Ekm.Host.Hosting;
using Ekm.LocalKms.Hosting;
using Microsoft.Extensions.Options;

namespace Ekm.Host.Kms;

/// <summary>
/// Runs the bundled local KMS on its own loopback port for the life of the host, when
/// <c>Ekm:LocalKms:Enabled</c>. Registered before the silo so it is up before any grain calls it.
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
            DataFile = options.Value.Durable ? Path.Combine(paths.DataDirectory, "localkms.db") : null,
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
