namespace Ekm.Grains.Keys;

/// <summary>Options under <c>Ekm:Keys</c>.</summary>
public sealed class KeyOptions
{
    public const string Section = "Ekm:Keys";

    /// <summary>How often a reminder probes each EKM tenant's key.</summary>
    public TimeSpan HealthCheckPeriod { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// While a tenant is revoked, admissions fail fast and KMS is asked again at most once per this
    /// interval (DESIGN §4 rule 4): the vendor's KMS quota is shared by every tenant.
    /// </summary>
    public TimeSpan RevokedRecheckInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Options under <c>Ekm:Terms</c>: the legal terms a tenant admin accepts to enable EKM.</summary>
public sealed class TermsOptions
{
    public const string Section = "Ekm:Terms";

    public string Id { get; set; } = "ekm-terms";

    /// <summary>The current version; an acceptance must name it.</summary>
    public string Version { get; set; } = "2026-11-01";

    public string Text { get; set; } = "";
}

/// <summary>The vendor's own KMS key, which wraps tenant keys under Cloud Key Management.</summary>
public interface IVendorKey
{
    string KeyArn { get; }
}
