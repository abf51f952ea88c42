using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ekm.Host.Hosting;

/// <summary>
/// TLS with mutual authentication on silo links. Silos of one deployment share a certificate
/// (a Kubernetes secret, say), so a remote silo is trusted when it presents that certificate, or
/// one listed in <c>Orleans:Tls:AllowedThumbprints</c>; no public CA is involved.
/// </summary>
internal static class SiloTls
{
    public static X509Certificate2 Load(OrleansHostOptions.TlsOptions options) =>
        X509CertificateLoader.LoadPkcs12FromFile(options.CertificateFile!, options.CertificatePassword,
            X509KeyStorageFlags.EphemeralKeySet);

    public static IEnumerable<string> Problems(OrleansHostOptions.TlsOptions options)
    {
        if (!File.Exists(options.CertificateFile))
        {
            return [$"Orleans:Tls:CertificateFile '{options.CertificateFile}' does not exist."];
        }

        try
        {
            using var certificate = Load(options);
            return certificate.HasPrivateKey
                ? []
                : [$"Orleans:Tls:CertificateFile '{options.CertificateFile}' has no private key: export the certificate with its key (.pfx)."];
        }
        catch (CryptographicException ex)
        {
            return [$"Orleans:Tls:CertificateFile '{options.CertificateFile}' cannot be read ({ex.Message}): check the file and Orleans:Tls:CertificatePassword."];
        }
    }

    public static void Configure(Orleans.Connections.Security.TlsOptions tls, OrleansHostOptions.TlsOptions options)
    {
        var certificate = Load(options);
        var trusted = options.AllowedThumbprints.Append(certificate.Thumbprint)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        tls.LocalCertificate = certificate;
        tls.RemoteCertificateMode = Orleans.Connections.Security.RemoteCertificateMode.RequireCertificate;
        tls.ClientCertificateMode = Orleans.Connections.Security.RemoteCertificateMode.RequireCertificate;
        // Chain and name errors are expected for a shared self-issued certificate; the thumbprint decides.
        tls.RemoteCertificateValidation = (remote, _, errors) =>
            (errors & SslPolicyErrors.RemoteCertificateNotAvailable) == 0 && trusted.Contains(remote.Thumbprint);
    }
}
