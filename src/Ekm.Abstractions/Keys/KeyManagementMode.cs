namespace Ekm.Keys;

/// <summary>Who holds the KMS key that wraps a tenant's key.</summary>
public enum KeyManagementMode
{
    /// <summary>Vendor-managed keys ("Cloud Key Management"): every tenant starts here.</summary>
    CloudKeyManagement = 0,

    /// <summary>The customer's own AWS KMS key ("Enterprise Key Management"). One way: there is no path back.</summary>
    EnterpriseKeyManagement = 1,
}
