using System.Text.Json;
using Ekm.LocalKms.Hosting;

namespace Ekm.LocalKms.Tests;

/// <summary>Key policy documents for tests, written the way a customer writes them for AWS.</summary>
internal static class KeyPolicies
{
    public const string VendorRoot = $"arn:aws:iam::{LocalKmsAccounts.VendorAccountId}:root";

    /// <summary>What a customer lets the vendor do with its key: data keys and decryption, nothing administrative.</summary>
    public static readonly string[] VendorActions = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"];

    public static string Document(params object[] statements) =>
        JsonSerializer.Serialize(new { Version = "2012-10-17", Statement = statements });

    /// <summary>The owner keeps full control, as the default key policy gives it.</summary>
    public static object Owner(string accountId) => new
    {
        Sid = "Owner",
        Effect = "Allow",
        Principal = new { AWS = $"arn:aws:iam::{accountId}:root" },
        Action = "kms:*",
        Resource = "*",
    };

    /// <summary>A statement for the vendor's account, limited to one tenant's encryption context when a tenant is given.</summary>
    public static object Vendor(string effect, string[] actions, string? tenant = null) => tenant is null
        ? (object)new { Sid = "Vendor" + effect, Effect = effect, Principal = new { AWS = VendorRoot }, Action = actions, Resource = "*" }
        : new
        {
            Sid = "Vendor" + effect,
            Effect = effect,
            Principal = new { AWS = VendorRoot },
            Action = actions,
            Resource = "*",
            Condition = new Dictionary<string, Dictionary<string, string>>
            {
                ["StringEquals"] = new() { ["kms:EncryptionContext:tenant"] = tenant },
            },
        };

    /// <summary>The policy of the scenario: the customer owns the key; the vendor may use it for tenant "contoso" only.</summary>
    public static string OwnerAndVendorForContoso(string ownerAccountId) =>
        Document(Owner(ownerAccountId), Vendor("Allow", VendorActions, "contoso"));
}
