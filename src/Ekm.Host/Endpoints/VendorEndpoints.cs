using Ekm.Grains.Keys;
using Ekm.Grains.Kms;
using Ekm.Host.Auth;
using Ekm.Host.Kms;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Ekm.Host.Endpoints;

/// <summary>What a tenant admin needs from the vendor before choosing a key (DESIGN §10).</summary>
internal static class VendorEndpoints
{
    /// <summary>Exactly what the service needs of a customer key, and nothing more.</summary>
    private static readonly string[] CryptoActions = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"];

    /// <summary>Metadata only: what the key is and whether the customer rotates it.</summary>
    private static readonly string[] MetadataActions = ["kms:DescribeKey", "kms:GetKeyRotationStatus"];

    public static IEndpointRouteBuilder MapVendorEndpoints(this IEndpointRouteBuilder app)
    {
        var ekm = app.MapGroup("/api/ekm").WithTags("Enterprise Key Management");
        ekm.MapGet("/vendor-account", GetVendorAccount)
            .WithName("GetVendorAccount")
            .WithSummary("The vendor's 12-digit AWS account id, to grant access to in the key policy.");
        ekm.MapGet("/terms", GetTerms)
            .WithName("GetTerms")
            .WithSummary("The current Enterprise Key Management terms a tenant admin accepts when enabling it.");
        app.MapGet("/api/tenants/{tenantId}/ekm/key-policy", GetKeyPolicy)
            .AddEndpointFilter<TenantIdFilter>()
            .RequireAuthorization(EkmPolicies.TenantRead)
            .WithTags("Enterprise Key Management")
            .WithName("GetKeyPolicyStatement")
            .WithSummary("The key-policy statements to paste into the customer key's policy for this tenant.");
        return app;
    }

    private static Ok<VendorAccountView> GetVendorAccount(IOptions<KmsOptions> kms) => TypedResults.Ok(new VendorAccountView(kms.Value.VendorAccountId));

    private static Ok<TermsView> GetTerms(IOptions<TermsOptions> terms) =>
        TypedResults.Ok(new TermsView(terms.Value.Id, terms.Value.Version, terms.Value.Text));

    /// <summary>
    /// Two statements: DescribeKey and GetKeyRotationStatus carry no encryption context, so they
    /// cannot be conditioned on one; every cryptographic action is allowed only with this tenant's context, so the key
    /// is useless to any other tenant of the vendor.
    /// </summary>
    private static Ok<KeyPolicyView> GetKeyPolicy(string tenantId, IOptions<KmsOptions> kms)
    {
        var principal = new Dictionary<string, string> { ["AWS"] = $"arn:aws:iam::{kms.Value.VendorAccountId}:root" };
        var statements = new List<object>
        {
            new Dictionary<string, object>
            {
                ["Sid"] = "EkmVendorReadKeyMetadata",
                ["Effect"] = "Allow",
                ["Principal"] = principal,
                ["Action"] = MetadataActions,
                ["Resource"] = "*",
            },
            new Dictionary<string, object>
            {
                ["Sid"] = $"EkmVendorUseKeyForTenant-{tenantId}",
                ["Effect"] = "Allow",
                ["Principal"] = principal,
                ["Action"] = CryptoActions,
                ["Resource"] = "*",
                ["Condition"] = new Dictionary<string, object>
                {
                    ["StringEquals"] = new Dictionary<string, string> { [$"kms:EncryptionContext:{TenantContext.Key}"] = tenantId },
                },
            },
        };
        return TypedResults.Ok(new KeyPolicyView(kms.Value.VendorAccountId, TenantContext.Key, tenantId, statements,
            "Add these statements to the Statement list of your KMS key's policy (AWS KMS console → your key → Key policy → Edit), keeping your own statements."));
    }
}
