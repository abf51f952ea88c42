namespace Ekm.Grains.Kms;

/// <summary>
/// The encryption context of every KMS call made for a tenant. The customer's key policy
/// conditions the vendor's access on it (<c>kms:EncryptionContext:ekm-tenant</c>), so a key pasted
/// into another tenant's settings is useless to that tenant.
/// </summary>
public static class TenantContext
{
    public const string Key = "ekm-tenant";

    public static Dictionary<string, string> For(string tenantId) => new(StringComparer.Ordinal) { [Key] = tenantId };
}
