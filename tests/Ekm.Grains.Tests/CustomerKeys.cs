using System.Text.Json;
using Amazon.KeyManagementService.Model;
using Ekm.Grains.Kms;
using Ekm.Keys;
using Ekm.LocalKms.Hosting;

namespace Ekm.Grains.Tests;

/// <summary>
/// What a customer (account A of the local KMS) does in its own KMS account: create a key for a
/// tenant, let the vendor use it, take that access away again. And the admin steps that put the
/// tenant on Enterprise Key Management with that key.
/// </summary>
internal static class CustomerKeys
{
    public const string TermsVersion = "v1";

    private const string PolicyName = "default";

    private static readonly string[] VendorMetadataActions = ["kms:DescribeKey", "kms:GetKeyRotationStatus"];

    private static readonly string[] VendorCryptoActions = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"];

    /// <summary>A symmetric key in customer A's account whose policy lets the vendor use it for <paramref name="tenantId"/> only.</summary>
    public static async Task<string> CreateCustomerKeyAsync(SqliteCluster c, string tenantId)
    {
        using var customer = c.ClientFor(LocalKmsAccounts.CustomerAAccountId);
        var key = (await customer.CreateKeyAsync(new CreateKeyRequest { Description = $"EKM key of tenant {tenantId}" })).KeyMetadata;
        await customer.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.Arn, PolicyName = PolicyName, Policy = PolicyWithVendor(tenantId) });
        return key.Arn;
    }

    /// <summary>Support activates EKM for the tenant, then its admin accepts the terms and enables it with <paramref name="keyArn"/>.</summary>
    public static async Task<TenantKeyStatus> EnableEkmAsync(SqliteCluster c, string tenantId, string keyArn)
    {
        var grain = c.Grains.GetGrain<IKeyGrain>(tenantId);
        await grain.SetAvailabilityAsync(true, "support");
        return await grain.EnableAsync(new EnableEkm(keyArn, true, TermsVersion, "admin"));
    }

    /// <summary>The customer's policy: full control for itself, DescribeKey and the crypto actions for the vendor, the latter for this tenant only.</summary>
    public static string PolicyWithVendor(string tenantId) => Document(
        Owner(),
        new
        {
            Sid = "VendorDescribe",
            Effect = "Allow",
            Principal = new { AWS = Root(LocalKmsAccounts.VendorAccountId) },
            Action = VendorMetadataActions,
            Resource = "*",
        },
        new
        {
            Sid = "VendorUseForTenant",
            Effect = "Allow",
            Principal = new { AWS = Root(LocalKmsAccounts.VendorAccountId) },
            Action = VendorCryptoActions,
            Resource = "*",
            Condition = new Dictionary<string, Dictionary<string, string>>
            {
                ["StringEquals"] = new() { ["kms:EncryptionContext:" + TenantContext.Key] = tenantId },
            },
        });

    /// <summary>
    /// A key whose policy does not name the vendor at all: the vendor's access comes only from a
    /// grant (bound to this tenant's encryption context). Returns the key ARN and the grant id.
    /// </summary>
    public static async Task<(string KeyArn, string GrantId)> CreateGrantedKeyAsync(SqliteCluster c, string tenantId)
    {
        using var customer = c.ClientFor(LocalKmsAccounts.CustomerAAccountId);
        var key = (await customer.CreateKeyAsync(new CreateKeyRequest { Description = $"EKM key of tenant {tenantId} (granted)" })).KeyMetadata;
        await customer.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.Arn, PolicyName = PolicyName, Policy = PolicyWithoutVendor() });

        // DescribeKey takes no encryption context, so it cannot share a grant with a context constraint.
        await customer.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key.Arn,
            GranteePrincipal = Root(LocalKmsAccounts.VendorAccountId),
            Operations = ["DescribeKey"],
        });
        return (key.Arn, await GrantVendorAsync(c, key.Arn, tenantId));
    }

    /// <summary>The vendor may use the key's cryptographic operations, for this tenant's encryption context only.</summary>
    public static async Task<string> GrantVendorAsync(SqliteCluster c, string keyArn, string tenantId)
    {
        using var customer = c.ClientFor(LocalKmsAccounts.CustomerAAccountId);
        var grant = await customer.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = keyArn,
            GranteePrincipal = Root(LocalKmsAccounts.VendorAccountId),
            Operations = ["Encrypt", "Decrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo"],
            Constraints = new GrantConstraints { EncryptionContextSubset = new Dictionary<string, string> { [TenantContext.Key] = tenantId } },
        });
        return grant.GrantId;
    }

    /// <summary>The customer removes the vendor's statements: only the owner may use the key.</summary>
    public static string PolicyWithoutVendor() => Document(Owner());

    public static async Task PutPolicyAsync(SqliteCluster c, string keyArn, string policy)
    {
        using var customer = c.ClientFor(LocalKmsAccounts.CustomerAAccountId);
        await customer.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = keyArn, PolicyName = PolicyName, Policy = policy });
    }

    private static object Owner() => new
    {
        Sid = "Owner",
        Effect = "Allow",
        Principal = new { AWS = Root(LocalKmsAccounts.CustomerAAccountId) },
        Action = "kms:*",
        Resource = "*",
    };

    private static string Root(string accountId) => $"arn:aws:iam::{accountId}:root";

    private static string Document(params object[] statements) =>
        JsonSerializer.Serialize(new { Version = "2012-10-17", Statement = statements });
}
