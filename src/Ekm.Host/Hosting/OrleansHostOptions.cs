namespace Ekm.Host.Hosting;

/// <summary>
/// Options under <c>Orleans</c>: cluster identity, silo endpoints, TLS between silos and
/// Kubernetes hosting. The providers themselves (<c>Orleans:Clustering</c>,
/// <c>Orleans:Reminders</c>, <c>Orleans:GrainStorage:ekm</c>) are Orleans' own configuration
/// keys: see <see cref="ClusterProviders"/>.
/// </summary>
public sealed class OrleansHostOptions
{
    public const string Section = "Orleans";

    public string ClusterId { get; set; } = "ekm-dev";

    /// <summary>Part of every stored grain row's key: changing it hides existing state.</summary>
    public string ServiceId { get; set; } = "ekm";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>The IP address other silos reach this one at (Kubernetes hosting sets it from the pod IP).</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    public TlsOptions Tls { get; set; } = new();

    public KubernetesOptions Kubernetes { get; set; } = new();

    /// <summary>
    /// TLS on silo links (Microsoft.Orleans.Connections.Security), off when no certificate is set.
    /// Key material crosses silo links inside grain calls: production clusters turn this on.
    /// </summary>
    public sealed class TlsOptions
    {
        /// <summary>A PKCS#12 (.pfx) file with the silo certificate and its private key.</summary>
        public string? CertificateFile { get; set; }

        public string? CertificatePassword { get; set; }

        /// <summary>
        /// Thumbprints a remote silo may present besides our own certificate's (for rotating
        /// certificates one silo at a time). Silos of one deployment normally share one certificate.
        /// </summary>
        public List<string> AllowedThumbprints { get; set; } = [];

        public bool Enabled => !string.IsNullOrWhiteSpace(CertificateFile);
    }

    public sealed class KubernetesOptions
    {
        /// <summary>Orleans Kubernetes hosting: identity and endpoints from the pod, dead pods' silos declared dead.</summary>
        public bool Enabled { get; set; }
    }
}
