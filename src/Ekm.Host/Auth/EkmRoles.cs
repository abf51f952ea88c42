namespace Ekm.Host.Auth;

/// <summary>Gateway roles (DESIGN §10).</summary>
public static class EkmRoles
{
    /// <summary>Administers the tenants its key names.</summary>
    public const string TenantAdmin = "TenantAdmin";

    /// <summary>Activates and deactivates Enterprise Key Management for tenants; reads every tenant.</summary>
    public const string Support = "Support";

    /// <summary>Read-only across tenants: status, dashboard, metrics.</summary>
    public const string Operator = "Operator";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { TenantAdmin, Support, Operator };

    /// <summary>The claim type listing the tenants a key administers.</summary>
    public const string TenantClaim = "ekm:tenant";

    public const string AllTenants = "*";
}
