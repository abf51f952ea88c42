using Amazon.KeyManagementService.Model;
using Ekm.LocalKms.Hosting;

namespace Ekm.LocalKms.Tests;

/// <summary>
/// Who may use a customer's key: the customer by its key policy, the vendor only by ARN and only
/// where the customer's policy names it — the cross-account rules of AWS KMS.
/// </summary>
public sealed class KeyPolicyTests(LocalKmsFixture kms) : IClassFixture<LocalKmsFixture>
{
    private const string CustomerA = LocalKmsAccounts.CustomerAAccountId;

    [Fact]
    public async Task CustomerKey_VendorByBareKeyId_IsNotFound()
    {
        using var customer = kms.CustomerA();
        using var vendor = kms.Vendor();
        var key = await customer.NewKeyAsync(KeyPolicies.OwnerAndVendorForContoso(CustomerA));

        await KmsCalls.ErrorAsync("NotFoundException", () => vendor.DataKeyAsync(key.KeyId, KmsCalls.Tenant("contoso")));
    }

    [Fact]
    public async Task CustomerKey_VendorByArnWithoutPolicyStatement_IsAccessDenied()
    {
        using var customer = kms.CustomerA();
        using var vendor = kms.Vendor();
        var key = await customer.NewKeyAsync();

        await KmsCalls.ErrorAsync("AccessDeniedException", () => vendor.DataKeyAsync(key.Arn, KmsCalls.Tenant("contoso")));
    }

    [Fact]
    public async Task VendorStatement_MatchingContext_AllowsGenerateDataKeyAndDecrypt()
    {
        using var customer = kms.CustomerA();
        using var vendor = kms.Vendor();
        var key = await customer.NewKeyAsync();
        await customer.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = KeyPolicies.OwnerAndVendorForContoso(CustomerA) });

        var dataKey = await vendor.DataKeyAsync(key.Arn, KmsCalls.Tenant("contoso"));
        var decrypted = await vendor.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = dataKey.CiphertextBlob,
            EncryptionContext = KmsCalls.Tenant("contoso"),
        });

        Assert.Equal(key.Arn, dataKey.KeyId);
        Assert.Equal(dataKey.Plaintext.ToArray(), decrypted.Plaintext.ToArray());
    }

    [Theory]
    [InlineData("fabrikam")]
    [InlineData(null)]
    public async Task VendorStatement_OtherOrNoContext_IsAccessDenied(string? tenant)
    {
        using var customer = kms.CustomerA();
        using var vendor = kms.Vendor();
        var key = await customer.NewKeyAsync(KeyPolicies.OwnerAndVendorForContoso(CustomerA));
        var context = tenant is null ? null : KmsCalls.Tenant(tenant);
        var blob = await customer.EncryptTextAsync(key.KeyId, "secret", context);

        await KmsCalls.ErrorAsync("AccessDeniedException", () => vendor.DataKeyAsync(key.Arn, context));
        await KmsCalls.ErrorAsync("AccessDeniedException", () => vendor.DecryptTextAsync(blob, context));
    }

    [Fact]
    public async Task VendorStatementConditionedOnContext_DescribeKey_IsAccessDenied()
    {
        // DescribeKey carries no encryption context, so a statement that requires one never allows it (as in AWS).
        using var customer = kms.CustomerA();
        using var vendor = kms.Vendor();
        var key = await customer.NewKeyAsync(KeyPolicies.OwnerAndVendorForContoso(CustomerA));

        await KmsCalls.ErrorAsync("AccessDeniedException", () => vendor.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.Arn }));
    }

    [Fact]
    public async Task VendorStatementRemoved_NextVendorDecrypt_IsAccessDenied()
    {
        using var customer = kms.CustomerA();
        using var vendor = kms.Vendor();
        var key = await customer.NewKeyAsync(KeyPolicies.OwnerAndVendorForContoso(CustomerA));
        var blob = await customer.EncryptTextAsync(key.KeyId, "secret", KmsCalls.Tenant("contoso"));
        var before = await vendor.DecryptTextAsync(blob, KmsCalls.Tenant("contoso"));

        await customer.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = KeyPolicies.Document(KeyPolicies.Owner(CustomerA)) });

        Assert.Equal("secret", before.Text);
        await KmsCalls.ErrorAsync("AccessDeniedException", () => vendor.DecryptTextAsync(blob, KmsCalls.Tenant("contoso")));
    }

    [Fact]
    public async Task ExplicitDenyForVendor_WithAllow_DenyWins()
    {
        using var customer = kms.CustomerA();
        using var vendor = kms.Vendor();
        var key = await customer.NewKeyAsync(KeyPolicies.Document(
            KeyPolicies.Owner(CustomerA),
            KeyPolicies.Vendor("Allow", KeyPolicies.VendorActions),
            KeyPolicies.Vendor("Deny", ["kms:Decrypt"])));

        var blob = await vendor.EncryptTextAsync(key.Arn, "secret");

        await KmsCalls.ErrorAsync("AccessDeniedException", () => vendor.DecryptTextAsync(blob));
    }

    [Fact]
    public async Task ActionWildcardReEncrypt_VendorReEncrypt_IsAllowed()
    {
        using var customer = kms.CustomerA();
        using var vendor = kms.Vendor();
        var source = await customer.NewKeyAsync(KeyPolicies.OwnerAndVendorForContoso(CustomerA));
        var destination = await customer.NewKeyAsync(KeyPolicies.OwnerAndVendorForContoso(CustomerA));
        var blob = await customer.EncryptTextAsync(source.KeyId, "secret", KmsCalls.Tenant("contoso"));

        var reEncrypted = await vendor.ReEncryptToAsync(blob, destination.Arn, KmsCalls.Tenant("contoso"), KmsCalls.Tenant("contoso"));

        Assert.Equal(source.Arn, reEncrypted.SourceKeyId);
        Assert.Equal(("secret", destination.Arn), await customer.DecryptTextAsync(reEncrypted.CiphertextBlob, KmsCalls.Tenant("contoso")));
    }

    [Fact]
    public async Task PolicyWithoutReEncrypt_VendorReEncrypt_IsAccessDenied()
    {
        using var customer = kms.CustomerA();
        using var vendor = kms.Vendor();
        var policy = KeyPolicies.Document(KeyPolicies.Owner(CustomerA), KeyPolicies.Vendor("Allow", ["kms:Encrypt", "kms:Decrypt"]));
        var source = await customer.NewKeyAsync(policy);
        var destination = await customer.NewKeyAsync(policy);
        var blob = await customer.EncryptTextAsync(source.KeyId, "secret");

        await KmsCalls.ErrorAsync("AccessDeniedException", () => vendor.ReEncryptToAsync(blob, destination.Arn));
    }

    [Fact]
    public async Task CustomerAKey_CustomerBByBareKeyId_IsNotFound()
    {
        using var customerA = kms.CustomerA();
        using var customerB = kms.CustomerB();
        var key = await customerA.NewKeyAsync();

        await KmsCalls.ErrorAsync("NotFoundException", () => customerB.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId }));
    }

    [Fact]
    public async Task KeyInUsEast1_ClientSigningForEuWest1_IsNotFound()
    {
        using var usEast = kms.CustomerA("us-east-1");
        using var euWest = kms.CustomerA("eu-west-1");
        var key = await usEast.NewKeyAsync();

        await KmsCalls.ErrorAsync("NotFoundException", () => euWest.EncryptTextAsync(key.KeyId, "secret"));
        await KmsCalls.ErrorAsync("NotFoundException", () => euWest.EncryptTextAsync(key.Arn, "secret"));
        Assert.Equal("us-east-1", key.Arn.Split(':')[3]);
    }

    [Fact]
    public async Task PutKeyPolicy_LockingCallerOut_IsMalformedUnlessBypassed()
    {
        using var customer = kms.CustomerA();
        var key = await customer.NewKeyAsync();
        var vendorOnly = KeyPolicies.Document(KeyPolicies.Vendor("Allow", ["kms:*"]));

        await KmsCalls.ErrorAsync("MalformedPolicyDocumentException",
            () => customer.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = vendorOnly }));
        await customer.EncryptTextAsync(key.KeyId, "still the owner's key");
        await customer.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = vendorOnly, BypassPolicyLockoutSafetyCheck = true });

        await KmsCalls.ErrorAsync("AccessDeniedException", () => customer.EncryptTextAsync(key.KeyId, "locked out"));
    }

    [Fact]
    public async Task CreateKey_LockingCallerOut_IsMalformedUnlessBypassed()
    {
        using var customer = kms.CustomerA();
        var vendorOnly = KeyPolicies.Document(KeyPolicies.Vendor("Allow", ["kms:*"]));

        await KmsCalls.ErrorAsync("MalformedPolicyDocumentException", () => customer.NewKeyAsync(vendorOnly));
        var key = await customer.NewKeyAsync(vendorOnly, bypassLockoutCheck: true);

        await KmsCalls.ErrorAsync("AccessDeniedException", () => customer.EncryptTextAsync(key.KeyId, "locked out"));
    }

    [Theory]
    [InlineData("{\"Statement\": [")]
    [InlineData("not json")]
    [InlineData("{\"Version\": \"2012-10-17\"}")]
    [InlineData("{\"Statement\": [{\"Effect\": 1, \"Principal\": \"*\", \"Action\": \"kms:*\"}]}")]
    [InlineData("{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"kms:*\", \"Condition\": {\"StringEquals\": \"x\"}}]}")]
    public async Task PutKeyPolicy_MalformedDocument_IsMalformedPolicyDocument(string policy)
    {
        using var customer = kms.CustomerA();
        var key = await customer.NewKeyAsync();

        await KmsCalls.ErrorAsync("MalformedPolicyDocumentException",
            () => customer.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = policy }));
        await customer.EncryptTextAsync(key.KeyId, "the old policy still holds");
    }
}
