using System.Security.Cryptography;
using System.Text.Json;
using Ekm.LocalKms.Hosting;

namespace Ekm.LocalKms.Tests.ClientCompatibility;

/// <summary>
/// What a KMS client outside .NET must be able to do against the local KMS, written once for any
/// <see cref="IKmsClient"/>. Each client's test class runs every scenario under a fact attribute
/// that skips where that client is not installed. Every scenario creates its own keys.
/// </summary>
public abstract class KmsClientScenarios(LocalKmsFixture kms) : IClassFixture<LocalKmsFixture>, IDisposable
{
    private static readonly Dictionary<string, string> Context = new() { ["tenant"] = "contoso", ["purpose"] = "compatibility" };
    private static readonly string[] GrantedOperations = ["Encrypt", "Decrypt"];

    private readonly KmsClientSession _session = new(kms.Server.Endpoint);

    public void Dispose()
    {
        _session.Dispose();
        GC.SuppressFinalize(this);
    }

    protected abstract IKmsClient Connect(KmsClientSession session, string accessKeyId, string secretAccessKey);

    protected async Task CreateKeyAndListKeysAsync()
    {
        var client = As(LocalKmsAccounts.CustomerAAccountId);
        var symmetric = await CreateKeyAsync(client);
        var multiRegion = await CreateKeyAsync(client, ("MultiRegion", true));
        var listed = (await client.CallAsync("ListKeys")).Ok();

        Assert.True(Guid.TryParse(symmetric.Text("KeyId"), out _), symmetric.Text("KeyId"));
        Assert.Equal("SYMMETRIC_DEFAULT", symmetric.Text("KeySpec"));
        Assert.Equal("ENCRYPT_DECRYPT", symmetric.Text("KeyUsage"));
        Assert.Equal("Enabled", symmetric.Text("KeyState"));
        Assert.False(symmetric.Flag("MultiRegion"));
        Assert.StartsWith("mrk-", multiRegion.Text("KeyId"), StringComparison.Ordinal);
        Assert.True(multiRegion.Flag("MultiRegion"));
        Assert.Contains(symmetric.Text("Arn"), listed.Texts("Keys", "KeyArn"));
        Assert.Contains(multiRegion.Text("KeyId"), listed.Texts("Keys", "KeyId"));
    }

    protected async Task DescribeKeyByEveryNameAsync()
    {
        var client = As(LocalKmsAccounts.CustomerAAccountId);
        var key = await CreateKeyAsync(client);
        var alias = await CreateAliasAsync(client, key);
        var aliasArn = (await client.CallAsync("ListAliases", ("KeyId", key.Text("KeyId")))).Ok()
            .GetProperty("Aliases").EnumerateArray().Single().Text("AliasArn");

        foreach (var name in new[] { key.Text("KeyId"), key.Text("Arn"), alias, aliasArn })
        {
            var described = (await client.CallAsync("DescribeKey", ("KeyId", name))).Ok().GetProperty("KeyMetadata");
            Assert.Equal(key.Text("Arn"), described.Text("Arn"));
        }

        Assert.Equal($"{key.Text("Arn").Split(":key/")[0]}:{alias}", aliasArn);
    }

    protected async Task AliasLifecycleAsync()
    {
        var client = As(LocalKmsAccounts.CustomerAAccountId);
        var key = await CreateKeyAsync(client);
        var alias = await CreateAliasAsync(client, key);
        var listed = (await client.CallAsync("ListAliases")).Ok();
        (await client.CallAsync("DeleteAlias", ("AliasName", alias))).Ok();
        var afterDelete = (await client.CallAsync("ListAliases")).Ok();
        var described = await client.CallAsync("DescribeKey", ("KeyId", alias));

        var entry = listed.GetProperty("Aliases").EnumerateArray().Single(a => a.Text("AliasName") == alias);
        Assert.Equal(key.Text("KeyId"), entry.Text("TargetKeyId"));
        Assert.DoesNotContain(alias, afterDelete.Texts("Aliases", "AliasName"));
        Assert.Equal("NotFoundException", described.ErrorCode);
    }

    protected async Task EncryptDecryptRoundTripAsync()
    {
        var client = As(LocalKmsAccounts.CustomerAAccountId);
        var key = await CreateKeyAsync(client);
        var plaintext = RandomNumberGenerator.GetBytes(300);

        var ciphertext = await EncryptAsync(client, key.Text("KeyId"), plaintext);
        var decrypted = (await client.CallAsync("Decrypt", ("CiphertextBlob", ciphertext), ("EncryptionContext", Context))).Ok();
        var withoutContext = await client.CallAsync("Decrypt", ("CiphertextBlob", ciphertext));

        Assert.Equal(plaintext, decrypted.Bytes("Plaintext"));
        Assert.Equal(key.Text("Arn"), decrypted.Text("KeyId"));
        Assert.Equal("InvalidCiphertextException", withoutContext.ErrorCode);
    }

    protected async Task GenerateDataKeysAsync()
    {
        var client = As(LocalKmsAccounts.CustomerAAccountId);
        var key = await CreateKeyAsync(client);
        (string, object)[] request = [("KeyId", key.Text("Arn")), ("KeySpec", "AES_256"), ("EncryptionContext", Context)];

        var withPlaintext = (await client.CallAsync("GenerateDataKey", request)).Ok();
        var withoutPlaintext = (await client.CallAsync("GenerateDataKeyWithoutPlaintext", request)).Ok();
        var unwrapped = await DecryptAsync(client, withPlaintext.Bytes("CiphertextBlob"));
        var unwrappedLater = await DecryptAsync(client, withoutPlaintext.Bytes("CiphertextBlob"));

        Assert.Equal(32, withPlaintext.Bytes("Plaintext").Length);
        Assert.Equal(withPlaintext.Bytes("Plaintext"), unwrapped);
        Assert.False(withoutPlaintext.TryGetProperty("Plaintext", out _));
        Assert.Equal(32, unwrappedLater.Length);
        Assert.Equal(key.Text("Arn"), withoutPlaintext.Text("KeyId"));
    }

    protected async Task ReEncryptToSecondKeyAsync()
    {
        var client = As(LocalKmsAccounts.CustomerAAccountId);
        var first = await CreateKeyAsync(client);
        var second = await CreateKeyAsync(client);
        var plaintext = RandomNumberGenerator.GetBytes(64);
        var ciphertext = await EncryptAsync(client, first.Text("KeyId"), plaintext);

        var moved = (await client.CallAsync("ReEncrypt", ("CiphertextBlob", ciphertext), ("DestinationKeyId", second.Text("KeyId")),
            ("SourceEncryptionContext", Context), ("DestinationEncryptionContext", Context))).Ok();
        var decrypted = (await client.CallAsync("Decrypt", ("CiphertextBlob", moved.Bytes("CiphertextBlob")), ("EncryptionContext", Context))).Ok();

        Assert.Equal(first.Text("Arn"), moved.Text("SourceKeyId"));
        Assert.Equal(second.Text("Arn"), moved.Text("KeyId"));
        Assert.Equal(second.Text("Arn"), decrypted.Text("KeyId"));
        Assert.Equal(plaintext, decrypted.Bytes("Plaintext"));
    }

    protected async Task DisableAndEnableAsync()
    {
        var client = As(LocalKmsAccounts.CustomerAAccountId);
        var key = await CreateKeyAsync(client);
        var plaintext = RandomNumberGenerator.GetBytes(16);
        var ciphertext = await EncryptAsync(client, key.Text("KeyId"), plaintext);

        (await client.CallAsync("DisableKey", ("KeyId", key.Text("KeyId")))).Ok();
        var whileDisabled = await client.CallAsync("Decrypt", ("CiphertextBlob", ciphertext), ("EncryptionContext", Context));
        var state = await KeyStateAsync(client, key);
        (await client.CallAsync("EnableKey", ("KeyId", key.Text("KeyId")))).Ok();

        Assert.Equal("DisabledException", whileDisabled.ErrorCode);
        Assert.Equal("Disabled", state);
        Assert.Equal(plaintext, await DecryptAsync(client, ciphertext));
    }

    protected async Task ScheduleAndCancelDeletionAsync()
    {
        var client = As(LocalKmsAccounts.CustomerAAccountId);
        var key = await CreateKeyAsync(client);

        var scheduled = (await client.CallAsync("ScheduleKeyDeletion", ("KeyId", key.Text("KeyId")), ("PendingWindowInDays", 7))).Ok();
        var encrypt = await client.CallAsync("Encrypt", ("KeyId", key.Text("KeyId")), ("Plaintext", new byte[] { 1, 2, 3 }));
        (await client.CallAsync("CancelKeyDeletion", ("KeyId", key.Text("KeyId")))).Ok();

        Assert.Equal("PendingDeletion", scheduled.Text("KeyState"));
        Assert.Equal(7, scheduled.GetProperty("PendingWindowInDays").GetInt32());
        Assert.Equal("KMSInvalidStateException", encrypt.ErrorCode);
        Assert.Equal("Disabled", await KeyStateAsync(client, key));
    }

    protected async Task PutAndGetKeyPolicyAsync()
    {
        var client = As(LocalKmsAccounts.CustomerAAccountId);
        var key = await CreateKeyAsync(client);
        var policy = JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new[]
            {
                new
                {
                    Sid = "CompatibilityTestOwner",
                    Effect = "Allow",
                    Principal = new { AWS = $"arn:aws:iam::{LocalKmsAccounts.CustomerAAccountId}:root" },
                    Action = "kms:*",
                    Resource = "*",
                },
            },
        });

        var before = (await client.CallAsync("GetKeyPolicy", ("KeyId", key.Text("KeyId")), ("PolicyName", "default"))).Ok();
        (await client.CallAsync("PutKeyPolicy", ("KeyId", key.Text("KeyId")), ("PolicyName", "default"), ("Policy", policy))).Ok();
        var after = (await client.CallAsync("GetKeyPolicy", ("KeyId", key.Text("KeyId")), ("PolicyName", "default"))).Ok();

        Assert.NotEqual(policy, before.Text("Policy"));
        Assert.Equal(policy, after.Text("Policy"));
    }

    protected async Task GrantToOtherAccountUntilRevokedAsync()
    {
        var owner = As(LocalKmsAccounts.CustomerAAccountId);
        var grantee = As(LocalKmsAccounts.CustomerBAccountId);
        var key = await CreateKeyAsync(owner);
        (string, object)[] encrypt = [("KeyId", key.Text("Arn")), ("Plaintext", new byte[] { 42 })];
        var beforeGrant = await grantee.CallAsync("Encrypt", encrypt);

        var grant = (await owner.CallAsync("CreateGrant", ("KeyId", key.Text("KeyId")),
            ("GranteePrincipal", $"arn:aws:iam::{LocalKmsAccounts.CustomerBAccountId}:root"), ("Operations", GrantedOperations))).Ok();
        var listed = (await owner.CallAsync("ListGrants", ("KeyId", key.Text("KeyId")))).Ok();
        var withGrant = await grantee.CallAsync("Encrypt", encrypt);
        (await owner.CallAsync("RevokeGrant", ("KeyId", key.Text("KeyId")), ("GrantId", grant.Text("GrantId")))).Ok();
        var listedAfterRevoke = (await owner.CallAsync("ListGrants", ("KeyId", key.Text("KeyId")))).Ok();
        var afterRevoke = await grantee.CallAsync("Encrypt", encrypt);

        var listedGrant = listed.GetProperty("Grants").EnumerateArray().Single();
        Assert.Equal("AccessDeniedException", beforeGrant.ErrorCode);
        Assert.Equal(grant.Text("GrantId"), listedGrant.Text("GrantId"));
        Assert.Equal(GrantedOperations, listedGrant.GetProperty("Operations").EnumerateArray().Select(o => o.ToString()));
        Assert.Equal(key.Text("Arn"), withGrant.Ok().Text("KeyId"));
        Assert.Empty(listedAfterRevoke.GetProperty("Grants").EnumerateArray());
        Assert.Equal("AccessDeniedException", afterRevoke.ErrorCode);
    }

    protected async Task ListKeysWithWrongSecretAsync()
    {
        var key = AccessKey(LocalKmsAccounts.CustomerAAccountId);
        var answer = await Connect(_session, key.AccessKeyId, key.SecretAccessKey + "-wrong").CallAsync("ListKeys");

        Assert.Equal("InvalidSignatureException", answer.ErrorCode);
    }

    protected async Task ListKeysWithUnknownAccessKeyAsync()
    {
        var key = AccessKey(LocalKmsAccounts.CustomerAAccountId);
        var answer = await Connect(_session, "AKIAEKMNOSUCHKEY0001", key.SecretAccessKey).CallAsync("ListKeys");

        Assert.Equal("UnrecognizedClientException", answer.ErrorCode);
    }

    private LocalKmsAccessKey AccessKey(string accountId) => kms.Server.Accounts.Single(a => a.AccountId == accountId).AccessKeys[0];

    private IKmsClient As(string accountId)
    {
        var key = AccessKey(accountId);
        return Connect(_session, key.AccessKeyId, key.SecretAccessKey);
    }

    private static async Task<JsonElement> CreateKeyAsync(IKmsClient client, params (string, object)[] input) =>
        (await client.CallAsync("CreateKey", [("Description", "client compatibility"), .. input])).Ok().GetProperty("KeyMetadata");

    private static async Task<string> CreateAliasAsync(IKmsClient client, JsonElement key)
    {
        var alias = $"alias/compatibility-{Guid.NewGuid():N}";
        (await client.CallAsync("CreateAlias", ("AliasName", alias), ("TargetKeyId", key.Text("KeyId")))).Ok();
        return alias;
    }

    private static async Task<byte[]> EncryptAsync(IKmsClient client, string keyId, byte[] plaintext) =>
        (await client.CallAsync("Encrypt", ("KeyId", keyId), ("Plaintext", plaintext), ("EncryptionContext", Context))).Ok().Bytes("CiphertextBlob");

    private static async Task<byte[]> DecryptAsync(IKmsClient client, byte[] ciphertext) =>
        (await client.CallAsync("Decrypt", ("CiphertextBlob", ciphertext), ("EncryptionContext", Context))).Ok().Bytes("Plaintext");

    private static async Task<string> KeyStateAsync(IKmsClient client, JsonElement key) =>
        (await client.CallAsync("DescribeKey", ("KeyId", key.Text("KeyId")))).Ok().GetProperty("KeyMetadata").Text("KeyState");
}
