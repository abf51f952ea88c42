using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Ekm.LocalKms.Hosting;

namespace Ekm.LocalKms.Tests;

/// <summary>Ciphertexts, data keys, key usages and aliases as the SDK sees them.</summary>
public sealed class CryptoTests(LocalKmsFixture kms) : IClassFixture<LocalKmsFixture>
{
    [Fact]
    public async Task Decrypt_OtherEncryptionContext_IsInvalidCiphertext()
    {
        using var client = kms.CustomerA();
        var key = await client.NewKeyAsync();
        var blob = await client.EncryptTextAsync(key.KeyId, "secret", KmsCalls.Tenant("contoso"));

        await KmsCalls.ErrorAsync("InvalidCiphertextException", () => client.DecryptTextAsync(blob, KmsCalls.Tenant("fabrikam")));
        await KmsCalls.ErrorAsync("InvalidCiphertextException", () => client.DecryptTextAsync(blob));
    }

    /// <summary>One flipped byte anywhere — format byte, key id, body, tag — makes the blob invalid.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(-20)]
    [InlineData(-1)]
    public async Task Decrypt_OneByteFlipped_IsInvalidCiphertext(int position)
    {
        using var client = kms.CustomerA();
        var key = await client.NewKeyAsync();
        var blob = (await client.EncryptTextAsync(key.KeyId, "a secret long enough to have a body", KmsCalls.Tenant("contoso"))).ToArray();
        blob[position >= 0 ? position : blob.Length + position] ^= 0x01;

        await KmsCalls.ErrorAsync("InvalidCiphertextException", () => client.DecryptTextAsync(new MemoryStream(blob), KmsCalls.Tenant("contoso")));
    }

    [Fact]
    public async Task Decrypt_KeyIdOfAnotherKey_IsIncorrectKey()
    {
        using var client = kms.CustomerA();
        var key = await client.NewKeyAsync();
        var other = await client.NewKeyAsync();
        var blob = await client.EncryptTextAsync(key.KeyId, "secret");

        await KmsCalls.ErrorAsync("IncorrectKeyException", () => client.DecryptTextAsync(blob, keyId: other.KeyId));
        Assert.Equal(("secret", key.Arn), await client.DecryptTextAsync(blob, keyId: key.Arn));
    }

    [Fact]
    public async Task ReEncrypt_OldToNewKey_DecryptsUnderNewKeyOnly()
    {
        using var client = kms.CustomerA();
        var oldKey = await client.NewKeyAsync();
        var newKey = await client.NewKeyAsync();
        var blob = await client.EncryptTextAsync(oldKey.KeyId, "secret", KmsCalls.Tenant("contoso"));

        var reEncrypted = await client.ReEncryptToAsync(blob, newKey.KeyId, KmsCalls.Tenant("contoso"), KmsCalls.Tenant("fabrikam"));

        Assert.Equal(oldKey.Arn, reEncrypted.SourceKeyId);
        Assert.Equal(newKey.Arn, reEncrypted.KeyId);
        Assert.Equal(("secret", newKey.Arn), await client.DecryptTextAsync(reEncrypted.CiphertextBlob, KmsCalls.Tenant("fabrikam"), newKey.KeyId));
        await KmsCalls.ErrorAsync("IncorrectKeyException",
            () => client.DecryptTextAsync(reEncrypted.CiphertextBlob, KmsCalls.Tenant("fabrikam"), oldKey.KeyId));
    }

    [Theory]
    [InlineData("AES_128", null, 16)]
    [InlineData("AES_256", null, 32)]
    [InlineData(null, 64, 64)]
    public async Task GenerateDataKey_KeySpecOrNumberOfBytes_ReturnsThatLength(string? keySpec, int? numberOfBytes, int expected)
    {
        using var client = kms.CustomerA();
        var key = await client.NewKeyAsync();

        var dataKey = await client.GenerateDataKeyAsync(new GenerateDataKeyRequest
        {
            KeyId = key.KeyId,
            KeySpec = keySpec is null ? null : DataKeySpec.FindValue(keySpec),
            NumberOfBytes = numberOfBytes,
        });

        Assert.Equal(expected, dataKey.Plaintext.Length);
        var decrypted = await client.DecryptAsync(new DecryptRequest { CiphertextBlob = dataKey.CiphertextBlob });
        Assert.Equal(dataKey.Plaintext.ToArray(), decrypted.Plaintext.ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task GenerateDataKey_BothOrNeitherKeySpecAndNumberOfBytes_IsValidation(bool both)
    {
        using var client = kms.CustomerA();
        var key = await client.NewKeyAsync();

        await KmsCalls.ErrorAsync("ValidationException", () => client.GenerateDataKeyAsync(new GenerateDataKeyRequest
        {
            KeyId = key.KeyId,
            KeySpec = both ? DataKeySpec.AES_256 : null,
            NumberOfBytes = both ? 32 : null,
        }));
    }

    [Theory]
    [InlineData("HMAC_256", "GENERATE_VERIFY_MAC")]
    [InlineData("RSA_2048", "SIGN_VERIFY")]
    public async Task Encrypt_KeyNotForSymmetricEncryption_IsInvalidKeyUsage(string keySpec, string keyUsage)
    {
        using var client = kms.CustomerA();
        var created = await client.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.FindValue(keySpec), KeyUsage = KeyUsageType.FindValue(keyUsage) });

        var described = await client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = created.KeyMetadata.KeyId });

        Assert.Equal(keySpec, described.KeyMetadata.KeySpec.Value);
        Assert.Equal(keyUsage, described.KeyMetadata.KeyUsage.Value);
        await KmsCalls.ErrorAsync("InvalidKeyUsageException", () => client.EncryptTextAsync(created.KeyMetadata.KeyId, "secret"));
    }

    [Fact]
    public async Task Alias_ByNameAndByArn_EncryptsUnderTargetKey()
    {
        using var client = kms.CustomerA();
        var key = await client.NewKeyAsync();
        var alias = "alias/crypto-tests/" + Guid.NewGuid().ToString("N");
        await client.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });
        var aliasArn = $"arn:aws:kms:{LocalKmsFixture.Region}:{LocalKmsAccounts.CustomerAAccountId}:{alias}";

        foreach (var keyId in new[] { alias, aliasArn })
        {
            var encrypted = await client.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([1, 2, 3]) });

            Assert.Equal(key.Arn, encrypted.KeyId);
            Assert.Equal(("\u0001\u0002\u0003", key.Arn), await client.DecryptTextAsync(encrypted.CiphertextBlob));
        }
    }

    [Fact]
    public async Task CreateAlias_NameTaken_IsAlreadyExists()
    {
        using var client = kms.CustomerA();
        var first = await client.NewKeyAsync();
        var second = await client.NewKeyAsync();
        var alias = "alias/crypto-tests/" + Guid.NewGuid().ToString("N");
        await client.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = first.KeyId });

        await KmsCalls.ErrorAsync("AlreadyExistsException",
            () => client.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = second.KeyId }));
        Assert.Equal(first.Arn, (await client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias })).KeyMetadata.Arn);
    }

    [Fact]
    public async Task CreateAlias_ReservedAwsPrefix_IsInvalidAliasName()
    {
        using var client = kms.CustomerA();
        var key = await client.NewKeyAsync();

        await KmsCalls.ErrorAsync("InvalidAliasNameException",
            () => client.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/aws/x", TargetKeyId = key.KeyId }));
    }

    [Fact]
    public async Task CreateKey_MultiRegion_HasMrkIdAndSaysMultiRegion()
    {
        using var client = kms.CustomerA();

        var created = await client.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true });
        var described = await client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = created.KeyMetadata.KeyId });

        Assert.StartsWith("mrk-", created.KeyMetadata.KeyId, StringComparison.Ordinal);
        Assert.True(described.KeyMetadata.MultiRegion);
        Assert.Equal(MultiRegionKeyType.PRIMARY, described.KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType);
    }
}
