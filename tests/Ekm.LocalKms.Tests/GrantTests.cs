using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Ekm.LocalKms.Tests;

/// <summary>
/// Grants as a customer gives them to the vendor: limited operations, an encryption-context
/// constraint, and an end by revocation or retirement.
/// </summary>
public sealed class GrantTests(LocalKmsFixture kms) : IClassFixture<LocalKmsFixture>
{
    [Fact]
    public async Task Grant_VendorWithGrantTokensAndContext_GeneratesAndDecrypts()
    {
        using var customer = kms.CustomerA();
        using var vendor = kms.Vendor();
        var key = await customer.NewKeyAsync();
        await KmsCalls.ErrorAsync("AccessDeniedException", () => vendor.DataKeyAsync(key.Arn, KmsCalls.Tenant("contoso")));

        var grant = await GrantToVendorAsync(customer, key);
        var dataKey = await vendor.DataKeyAsync(key.Arn, KmsCalls.Tenant("contoso"), [grant.GrantToken]);
        var decrypted = await vendor.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = dataKey.CiphertextBlob,
            EncryptionContext = KmsCalls.Tenant("contoso"),
            KeyId = key.Arn,
            GrantTokens = [grant.GrantToken],
        });

        Assert.Equal(dataKey.Plaintext.ToArray(), decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task CreateGrant_ContextConstraintWithDescribeKey_ValidationException()
    {
        using var customer = kms.CustomerA();
        var key = await customer.NewKeyAsync();

        await KmsCalls.ErrorAsync("ValidationException", () => customer.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key.Arn,
            GranteePrincipal = "arn:aws:iam::111122223333:root",
            Operations = ["Decrypt", "DescribeKey"],
            Constraints = new GrantConstraints { EncryptionContextSubset = KmsCalls.Tenant("contoso") },
        }));
    }

    [Fact]
    public async Task Grant_VendorWithOtherContext_IsAccessDenied()
    {
        using var customer = kms.CustomerA();
        using var vendor = kms.Vendor();
        var key = await customer.NewKeyAsync();
        var grant = await GrantToVendorAsync(customer, key);
        var blob = await customer.EncryptTextAsync(key.KeyId, "secret", KmsCalls.Tenant("fabrikam"));

        await KmsCalls.ErrorAsync("AccessDeniedException",
            () => vendor.DataKeyAsync(key.Arn, KmsCalls.Tenant("fabrikam"), [grant.GrantToken]));
        await KmsCalls.ErrorAsync("AccessDeniedException",
            () => vendor.DecryptTextAsync(blob, KmsCalls.Tenant("fabrikam"), grantTokens: [grant.GrantToken]));
        await KmsCalls.ErrorAsync("AccessDeniedException", () => vendor.DataKeyAsync(key.Arn, grantTokens: [grant.GrantToken]));
    }

    [Fact]
    public async Task ListGrants_AfterCreateGrant_ShowsGranteeOperationsAndConstraint()
    {
        using var customer = kms.CustomerA();
        var key = await customer.NewKeyAsync();
        var created = await GrantToVendorAsync(customer, key);

        var listed = await customer.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId });

        var grant = Assert.Single(listed.Grants);
        Assert.Equal(created.GrantId, grant.GrantId);
        Assert.Equal(key.Arn, grant.KeyId);
        Assert.Equal(KeyPolicies.VendorRoot, grant.GranteePrincipal);
        Assert.Equal([GrantOperation.Decrypt, GrantOperation.GenerateDataKey], grant.Operations);
        Assert.Equal(KmsCalls.Tenant("contoso"), grant.Constraints.EncryptionContextSubset);
    }

    [Fact]
    public async Task RevokeGrant_NextVendorCall_IsAccessDenied()
    {
        using var customer = kms.CustomerA();
        using var vendor = kms.Vendor();
        var key = await customer.NewKeyAsync();
        var grant = await GrantToVendorAsync(customer, key);
        var blob = await customer.EncryptTextAsync(key.KeyId, "secret", KmsCalls.Tenant("contoso"));
        var before = await vendor.DecryptTextAsync(blob, KmsCalls.Tenant("contoso"), grantTokens: [grant.GrantToken]);

        await customer.RevokeGrantAsync(new RevokeGrantRequest { KeyId = key.KeyId, GrantId = grant.GrantId });

        Assert.Equal("secret", before.Text);
        await KmsCalls.ErrorAsync("AccessDeniedException", () => vendor.DecryptTextAsync(blob, KmsCalls.Tenant("contoso")));
        Assert.Empty((await customer.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId })).Grants ?? []);
    }

    [Fact]
    public async Task RetireGrant_ByRetiringVendorWithToken_NextVendorCall_IsAccessDenied()
    {
        using var customer = kms.CustomerA();
        using var vendor = kms.Vendor();
        var key = await customer.NewKeyAsync();
        var grant = await GrantToVendorAsync(customer, key, retiringPrincipal: KeyPolicies.VendorRoot);
        var blob = await customer.EncryptTextAsync(key.KeyId, "secret", KmsCalls.Tenant("contoso"));
        var before = await vendor.DecryptTextAsync(blob, KmsCalls.Tenant("contoso"), grantTokens: [grant.GrantToken]);

        await vendor.RetireGrantAsync(new RetireGrantRequest { GrantToken = grant.GrantToken });

        Assert.Equal("secret", before.Text);
        await KmsCalls.ErrorAsync("AccessDeniedException", () => vendor.DecryptTextAsync(blob, KmsCalls.Tenant("contoso")));
    }

    [Fact]
    public async Task RetireGrant_ByVendorNotRetiringPrincipal_IsAccessDenied()
    {
        using var customer = kms.CustomerA();
        using var vendor = kms.Vendor();
        var key = await customer.NewKeyAsync();
        var grant = await GrantToVendorAsync(customer, key, retiringPrincipal: null);

        await KmsCalls.ErrorAsync("AccessDeniedException", () => vendor.RetireGrantAsync(new RetireGrantRequest { GrantToken = grant.GrantToken }));
        await vendor.DataKeyAsync(key.Arn, KmsCalls.Tenant("contoso"), [grant.GrantToken]);
    }

    [Fact]
    public async Task GrantTokens_Garbage_IsInvalidGrantToken()
    {
        using var customer = kms.CustomerA();
        using var vendor = kms.Vendor();
        var key = await customer.NewKeyAsync();
        await GrantToVendorAsync(customer, key);

        await KmsCalls.ErrorAsync("InvalidGrantTokenException",
            () => vendor.DataKeyAsync(key.Arn, KmsCalls.Tenant("contoso"), ["not-a-grant-token"]));
    }

    private static Task<CreateGrantResponse> GrantToVendorAsync(IAmazonKeyManagementService customer, KeyMetadata key,
        string? retiringPrincipal = null) =>
        customer.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key.KeyId,
            GranteePrincipal = KeyPolicies.VendorRoot,
            RetiringPrincipal = retiringPrincipal,
            Operations = [GrantOperation.Decrypt, GrantOperation.GenerateDataKey],
            Constraints = new GrantConstraints { EncryptionContextSubset = KmsCalls.Tenant("contoso") },
        });
}
