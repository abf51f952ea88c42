using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace Ekm.LocalKms.Tests;

/// <summary>The SDK calls and error checks the local KMS tests share.</summary>
internal static class KmsCalls
{
    public static Dictionary<string, string> Tenant(string tenant) => new() { ["tenant"] = tenant };

    public static async Task<KeyMetadata> NewKeyAsync(this IAmazonKeyManagementService client, string? policy = null, bool bypassLockoutCheck = false) =>
        (await client.CreateKeyAsync(new CreateKeyRequest
        {
            Description = "test key",
            Policy = policy,
            BypassPolicyLockoutSafetyCheck = bypassLockoutCheck ? true : null,
        })).KeyMetadata;

    public static async Task<MemoryStream> EncryptTextAsync(this IAmazonKeyManagementService client, string keyId, string text,
        Dictionary<string, string>? context = null) =>
        (await client.EncryptAsync(new EncryptRequest
        {
            KeyId = keyId,
            Plaintext = new MemoryStream(Encoding.UTF8.GetBytes(text)),
            EncryptionContext = context,
        })).CiphertextBlob;

    /// <summary>Decrypts and returns the plaintext as text and the ARN of the key that decrypted it.</summary>
    public static async Task<(string Text, string KeyArn)> DecryptTextAsync(this IAmazonKeyManagementService client, MemoryStream blob,
        Dictionary<string, string>? context = null, string? keyId = null, List<string>? grantTokens = null)
    {
        var response = await client.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = new MemoryStream(blob.ToArray()),
            EncryptionContext = context,
            KeyId = keyId,
            GrantTokens = grantTokens,
        });
        return (Encoding.UTF8.GetString(response.Plaintext.ToArray()), response.KeyId);
    }

    public static Task<GenerateDataKeyResponse> DataKeyAsync(this IAmazonKeyManagementService client, string keyId,
        Dictionary<string, string>? context = null, List<string>? grantTokens = null) =>
        client.GenerateDataKeyAsync(new GenerateDataKeyRequest
        {
            KeyId = keyId,
            KeySpec = DataKeySpec.AES_256,
            EncryptionContext = context,
            GrantTokens = grantTokens,
        });

    public static Task<ReEncryptResponse> ReEncryptToAsync(this IAmazonKeyManagementService client, MemoryStream blob,
        string destinationKeyId, Dictionary<string, string>? sourceContext = null, Dictionary<string, string>? destinationContext = null) =>
        client.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(blob.ToArray()),
            SourceEncryptionContext = sourceContext,
            DestinationKeyId = destinationKeyId,
            DestinationEncryptionContext = destinationContext,
        });

    /// <summary>
    /// Expects the call to fail with this AWS error code. The SDK maps a code to a typed exception
    /// only where the operation's model lists it, so the code is what is compared.
    /// </summary>
    public static async Task<AmazonServiceException> ErrorAsync(string errorCode, Func<Task> call)
    {
        var error = await Assert.ThrowsAnyAsync<AmazonServiceException>(call);
        Assert.Equal(errorCode, error.ErrorCode);
        return error;
    }
}
