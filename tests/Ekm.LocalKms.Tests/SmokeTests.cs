using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Ekm.LocalKms.Tests;

public sealed class SmokeTests(LocalKmsFixture kms) : IClassFixture<LocalKmsFixture>
{
    [Fact]
    public async Task CreateKey_EncryptDecrypt_RoundTripsThroughTheSdk()
    {
        using var client = kms.CustomerA();
        var created = await client.CreateKeyAsync(new CreateKeyRequest { Description = "smoke" });
        var context = new Dictionary<string, string> { ["tenant"] = "contoso" };
        var encrypted = await client.EncryptAsync(new EncryptRequest
        {
            KeyId = created.KeyMetadata.KeyId,
            Plaintext = new MemoryStream(Encoding.UTF8.GetBytes("hello")),
            EncryptionContext = context,
        });
        var decrypted = await client.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob, EncryptionContext = context });

        Assert.Equal("hello", Encoding.UTF8.GetString(decrypted.Plaintext.ToArray()));
        Assert.Equal(created.KeyMetadata.Arn, decrypted.KeyId);
        Assert.Equal(KeyState.Enabled, created.KeyMetadata.KeyState);
    }
}
