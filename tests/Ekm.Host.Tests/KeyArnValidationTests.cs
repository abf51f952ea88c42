using System.Net;
using Amazon.KeyManagementService;
using Ekm.Problems;

namespace Ekm.Host.Tests;

/// <summary><c>POST /api/tenants/{tenantId}/ekm/validate</c>: every check, each refusal its own slug, nothing saved.</summary>
public sealed class KeyArnValidationTests(HostFixture host) : IClassFixture<HostFixture>
{
    /// <summary>What the row pastes: its text as given, or a key it makes in customer A's local KMS account.</summary>
    public enum Pasted
    {
        Text,
        MissingKey,
        KeyWithoutVendor,
        DisabledKey,
        KeyPendingDeletion,
        Rsa2048EncryptDecryptKey,
        Hmac256Key,
        Rsa2048SignVerifyKey,
        AliasOfUsableKey,
        UsableKey,
        UsableMultiRegionKey,
    }

    private const string KeyId = "1234abcd-12ab-34cd-56ef-1234567890ab";

    [Theory]
    [InlineData(Pasted.Text, "", HttpStatusCode.BadRequest, ProblemSlugs.KeyArnRequired)]
    [InlineData(Pasted.Text, "   ", HttpStatusCode.BadRequest, ProblemSlugs.KeyArnRequired)]
    [InlineData(Pasted.Text, "not an arn", HttpStatusCode.BadRequest, ProblemSlugs.InvalidKeyArn)]
    [InlineData(Pasted.Text, "alias/my-key", HttpStatusCode.BadRequest, ProblemSlugs.InvalidKeyArn)]
    [InlineData(Pasted.Text, "arn:aws:s3:::bucket", HttpStatusCode.BadRequest, ProblemSlugs.NotAKmsKeyArn)]
    [InlineData(Pasted.Text, "arn:foo:kms:us-east-1:444455556666:key/" + KeyId, HttpStatusCode.BadRequest, ProblemSlugs.InvalidKeyArnPartition)]
    [InlineData(Pasted.Text, "arn:aws:kms:mars-1:444455556666:key/" + KeyId, HttpStatusCode.BadRequest, ProblemSlugs.InvalidKeyArnRegion)]
    [InlineData(Pasted.Text, "arn:aws:kms:us-east-1:44445555666:key/" + KeyId, HttpStatusCode.BadRequest, ProblemSlugs.InvalidKeyArnAccount)]
    [InlineData(Pasted.Text, "arn:aws:kms:us-east-1:444455556666:key/1234abcd", HttpStatusCode.BadRequest, ProblemSlugs.InvalidKeyId)]
    [InlineData(Pasted.Text, "https://myvault.vault.azure.net/keys/mykey/abc", HttpStatusCode.BadRequest, ProblemSlugs.UnsupportedKeyProvider)]
    [InlineData(Pasted.Text, "projects/p/locations/global/keyRings/r/cryptoKeys/k", HttpStatusCode.BadRequest, ProblemSlugs.UnsupportedKeyProvider)]
    [InlineData(Pasted.MissingKey, null, HttpStatusCode.UnprocessableEntity, ProblemSlugs.KeyNotFound)]
    [InlineData(Pasted.KeyWithoutVendor, null, HttpStatusCode.UnprocessableEntity, ProblemSlugs.KeyAccessDenied)]
    [InlineData(Pasted.DisabledKey, null, HttpStatusCode.UnprocessableEntity, ProblemSlugs.KeyDisabled)]
    [InlineData(Pasted.KeyPendingDeletion, null, HttpStatusCode.UnprocessableEntity, ProblemSlugs.KeyPendingDeletion)]
    [InlineData(Pasted.Rsa2048EncryptDecryptKey, null, HttpStatusCode.UnprocessableEntity, ProblemSlugs.WrongKeySpec)]
    [InlineData(Pasted.Hmac256Key, null, HttpStatusCode.UnprocessableEntity, ProblemSlugs.WrongKeySpec)]
    // The spec is checked before the usage, and a SYMMETRIC_DEFAULT key cannot be SIGN_VERIFY in
    // KMS, so a real signing key is refused for its spec.
    [InlineData(Pasted.Rsa2048SignVerifyKey, null, HttpStatusCode.UnprocessableEntity, ProblemSlugs.WrongKeySpec)]
    [InlineData(Pasted.AliasOfUsableKey, null, HttpStatusCode.OK, null)]
    [InlineData(Pasted.UsableKey, null, HttpStatusCode.OK, null)]
    [InlineData(Pasted.UsableMultiRegionKey, null, HttpStatusCode.OK, null)]
    public async Task Validate_PastedKey_StatusAndSlugAndNothingSaved(Pasted pasted, string? text, HttpStatusCode status, string? slug)
    {
        using var kms = new CustomerKms(host);
        using var tenant = await TenantSession.ActivatedAsync(host);
        var (keyArnText, keyArn) = await ArrangeAsync(pasted, text, tenant, kms);

        var response = await tenant.ValidateAsync(keyArnText);

        if (slug is null)
        {
            var validation = await Http.OkAsync(response);
            Assert.Equal(keyArn, validation.GetProperty("keyArn").GetString());
            Assert.Equal("SYMMETRIC_DEFAULT", validation.GetProperty("keySpec").GetString());
            Assert.Equal("ENCRYPT_DECRYPT", validation.GetProperty("keyUsage").GetString());
            Assert.Equal("Enabled", validation.GetProperty("keyState").GetString());
        }
        else
        {
            var detail = await ProblemAssert.IsProblemAsync(response, status, slug);
            Assert.Matches(@"^\S+( \S+)+.*\.$", detail);
        }

        await tenant.AssertNothingSavedAsync();
    }

    [Fact]
    public async Task Validate_NotActivated_EkmNotActivated()
    {
        using var kms = new CustomerKms(host);
        using var tenant = TenantSession.New(host);
        var keyArn = await tenant.NewUsableKeyAsync(kms);

        await ProblemAssert.IsProblemAsync(await tenant.ValidateAsync(keyArn), HttpStatusCode.Conflict, ProblemSlugs.EkmNotActivated);
        await tenant.AssertNothingSavedAsync();
    }

    /// <summary>Makes the row's key; returns the text to paste and the key ARN a success must report.</summary>
    private static async Task<(string KeyArnText, string? KeyArn)> ArrangeAsync(Pasted pasted, string? text, TenantSession tenant, CustomerKms kms)
    {
        switch (pasted)
        {
            case Pasted.Text:
                return (text!, null);
            case Pasted.MissingKey:
                return (CustomerKms.MissingKeyArn(), null);
            case Pasted.KeyWithoutVendor:
                return (await kms.CreateKeyAsync(), null);
            case Pasted.DisabledKey:
            {
                var keyArn = await tenant.NewUsableKeyAsync(kms);
                await kms.DisableAsync(keyArn);
                return (keyArn, null);
            }

            case Pasted.KeyPendingDeletion:
            {
                var keyArn = await tenant.NewUsableKeyAsync(kms);
                await kms.ScheduleDeletionAsync(keyArn);
                return (keyArn, null);
            }

            case Pasted.Rsa2048EncryptDecryptKey:
                return (await tenant.NewUsableKeyAsync(kms, KeySpec.RSA_2048, KeyUsageType.ENCRYPT_DECRYPT), null);
            case Pasted.Hmac256Key:
                return (await tenant.NewUsableKeyAsync(kms, KeySpec.HMAC_256, KeyUsageType.GENERATE_VERIFY_MAC), null);
            case Pasted.Rsa2048SignVerifyKey:
                return (await tenant.NewUsableKeyAsync(kms, KeySpec.RSA_2048, KeyUsageType.SIGN_VERIFY), null);
            case Pasted.AliasOfUsableKey:
            {
                var keyArn = await tenant.NewUsableKeyAsync(kms);
                return (await kms.CreateAliasAsync(keyArn), keyArn);
            }

            case Pasted.UsableKey:
            {
                var keyArn = await tenant.NewUsableKeyAsync(kms);
                return (keyArn, keyArn);
            }

            case Pasted.UsableMultiRegionKey:
            {
                var keyArn = await tenant.NewUsableKeyAsync(kms, multiRegion: true);
                Assert.Contains(":key/mrk-", keyArn, StringComparison.Ordinal);
                return (keyArn, keyArn);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(pasted), pasted, null);
        }
    }
}
