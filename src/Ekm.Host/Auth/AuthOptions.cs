namespace Ekm.Host.Auth;

/// <summary>Options under <c>Ekm:Auth</c>: who may call the gateway.</summary>
public sealed class AuthOptions
{
    public const string Section = "Ekm:Auth";

    /// <summary>
    /// Generate a development key with every role on first start and keep its hash in the data
    /// directory. On for the embedded host; switch it off in production.
    /// </summary>
    public bool DevelopmentKey { get; set; }

    public List<ApiKeyOptions> ApiKeys { get; set; } = [];
}

/// <summary>One bearer API key. Only its SHA-256 hash is configured, never the key itself.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>Who holds the key; recorded as the actor of every change it makes.</summary>
    public string Name { get; set; } = "";

    /// <summary>Lowercase or uppercase hex SHA-256 of the key's UTF-8 bytes (<c>printf %s KEY | sha256sum</c>).</summary>
    public string Sha256 { get; set; } = "";

    /// <summary><see cref="EkmRoles"/> names.</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>Tenants a <c>TenantAdmin</c> key administers; <c>*</c> for all.</summary>
    public List<string> Tenants { get; set; } = [];
}
