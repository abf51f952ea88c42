namespace Ekm.Host.Kms;

/// <summary>Options under <c>Ekm:Kms</c>: how the service reaches AWS KMS as the vendor account.</summary>
public sealed class KmsOptions
{
    public const string Section = "Ekm:Kms";

    /// <summary>KMS endpoint; empty means the embedded local KMS when it runs, else AWS's regional endpoint.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The region the vendor's own key lives in and requests are signed for.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>
    /// Static credentials. Empty means the local KMS's vendor key when it runs, else the standard
    /// AWS credential chain (environment, profile, instance or pod role) — the production choice.
    /// </summary>
    public string? AccessKeyId { get; set; }

    public string? SecretAccessKey { get; set; }

    /// <summary>The vendor's own key for Cloud Key Management; empty with the local KMS creates one.</summary>
    public string? VendorKeyArn { get; set; }

    /// <summary>The vendor's 12-digit AWS account id that customers grant access to.</summary>
    public string VendorAccountId { get; set; } = "";

    /// <summary>Per-attempt timeout of a KMS request.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Retries of a throttled, failed (5xx) or timed-out request, with the SDK's backoff.</summary>
    public int MaxRetries { get; set; } = 3;
}

/// <summary>Options under <c>Ekm:LocalKms</c>: the bundled AWS-KMS-compatible server.</summary>
public sealed class EmbeddedLocalKmsOptions
{
    public const string Section = "Ekm:LocalKms";

    /// <summary>Start the local KMS inside the host. On for development, off in production.</summary>
    public bool Enabled { get; set; }

    /// <summary>Loopback port; 0 picks a free one.</summary>
    public int Port { get; set; } = 4599;

    /// <summary>Keep keys in <c>{DataDirectory}/localkms.db</c> (true) or in memory only.</summary>
    public bool Durable { get; set; } = true;

    /// <summary>
    /// Base64 of 32 bytes sealing <c>localkms.db</c>; empty = the key file <c>localkms.db.key</c>
    /// beside it, created on first start (docs/security.md).
    /// </summary>
    public string? StoreKey { get; set; }
}
