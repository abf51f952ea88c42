using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ekm.Host.Tests.Cluster;

/// <summary>
/// TLS between silos, as docs/cluster.md configures it: one shared certificate, mutual
/// authentication. Key material crosses these links inside grain calls.
/// </summary>
[Collection("postgres")]
public sealed class SiloTlsTests(PostgresServer postgres) : IDisposable
{
    private readonly TempDirectory _certificates = new();

    [PostgresFact]
    public async Task TwoSilosWithASharedCertificate_FormACluster_AndTheirLinksRequireTls()
    {
        using var shared = Certificate("ekm-silo");
        var pfx = Path.Combine(_certificates.Path, "silo.pfx");
        await File.WriteAllBytesAsync(pfx, shared.Export(X509ContentType.Pkcs12, "pfx-password"));
        await using var cluster = await ProcessCluster.StartAsync(postgres, silos: 2,
            $"--Orleans:Tls:CertificateFile={pfx}", "--Orleans:Tls:CertificatePassword=pfx-password");

        // A change made through one silo is read through the other: the two talk over TLS.
        var tenant = cluster.Keys.NewTenantAdmin();
        using (var support = ProcessCluster.Client(cluster.Live[0], cluster.Keys.Support))
        {
            await Http.OkAsync(await support.PutAsJsonAsync($"/api/support/tenants/{tenant.Tenant}/ekm/availability", new { activated = true }));
        }

        using var admin = ProcessCluster.Client(cluster.Live[1], tenant.Key);
        Assert.True((await Http.OkAsync(await admin.GetAsync($"/api/tenants/{tenant.Tenant}/ekm"))).GetProperty("availability").GetProperty("activated").GetBoolean());

        // The silo port speaks TLS with the shared certificate, and only to a peer presenting it.
        var port = cluster.Live[0].Ports.Silo;
        Assert.True(await PeerIsAcceptedAsync(port, shared, shared.Thumbprint));
        using var stranger = Certificate("not-a-silo");
        Assert.False(await PeerIsAcceptedAsync(port, stranger, shared.Thumbprint));
    }

    public void Dispose() => _certificates.Dispose();

    private static X509Certificate2 Certificate(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// Handshakes as a peer presenting <paramref name="client"/>, trusting only the shared silo
    /// certificate, and reads: with TLS 1.3 a refused client certificate surfaces on the first
    /// read, not in the handshake. A silo that accepts the peer sends nothing and the read times out.
    /// </summary>
    private static async Task<bool> PeerIsAcceptedAsync(int port, X509Certificate2 client, string siloThumbprint)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(tcp.GetStream(), false,
            (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == siloThumbprint);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "ekm-silo",
                ClientCertificates = [client],
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            });
            return await tls.ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(3)) > 0;
        }
        catch (TimeoutException)
        {
            return true;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            return false;
        }
    }
}
