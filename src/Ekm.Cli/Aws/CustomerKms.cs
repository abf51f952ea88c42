using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace Ekm.Cli.Aws;

/// <summary>
/// The customer's side of AWS KMS, signed as the customer's own account: what a customer does in
/// the AWS console to make, share, disable or delete the key the service depends on.
/// </summary>
internal sealed class CustomerKms : IDisposable
{
    private readonly AmazonKeyManagementServiceClient _client;

    public CustomerKms(Uri endpoint, string region, string accessKeyId, string secretAccessKey)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        _client = new AmazonKeyManagementServiceClient(
            new BasicAWSCredentials(accessKeyId, secretAccessKey),
            new AmazonKeyManagementServiceConfig { ServiceURL = endpoint.AbsoluteUri, AuthenticationRegion = region, MaxErrorRetry = 2 });
    }

    public Uri Endpoint { get; }

    /// <summary>A symmetric encryption key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT) with the default policy; returns its metadata.</summary>
    public async Task<KeyMetadata> CreateKeyAsync(string description, CancellationToken cancellationToken)
    {
        var created = await CallAsync(() => _client.CreateKeyAsync(new CreateKeyRequest
        {
            Description = description,
            KeySpec = KeySpec.SYMMETRIC_DEFAULT,
            KeyUsage = KeyUsageType.ENCRYPT_DECRYPT,
        }, cancellationToken));
        return created.KeyMetadata;
    }

    /// <summary>Sets the key's policy; returns the policy document.</summary>
    public async Task<string> PutPolicyAsync(string keyArn, JsonElement vendorStatements, CancellationToken cancellationToken)
    {
        var policy = Policy(AccountOf(keyArn), vendorStatements);
        await CallAsync(() => _client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = keyArn, Policy = policy }, cancellationToken));
        return policy;
    }

    public async Task<KeyMetadata> DescribeAsync(string keyArn, CancellationToken cancellationToken) =>
        (await CallAsync(() => _client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyArn }, cancellationToken))).KeyMetadata;

    public Task DisableAsync(string keyArn, CancellationToken cancellationToken) =>
        CallAsync(() => _client.DisableKeyAsync(new DisableKeyRequest { KeyId = keyArn }, cancellationToken));

    public Task EnableAsync(string keyArn, CancellationToken cancellationToken) =>
        CallAsync(() => _client.EnableKeyAsync(new EnableKeyRequest { KeyId = keyArn }, cancellationToken));

    public async Task<DateTime?> ScheduleDeletionAsync(string keyArn, int days, CancellationToken cancellationToken) =>
        (await CallAsync(() => _client.ScheduleKeyDeletionAsync(
            new ScheduleKeyDeletionRequest { KeyId = keyArn, PendingWindowInDays = days }, cancellationToken))).DeletionDate;

    public Task CancelDeletionAsync(string keyArn, CancellationToken cancellationToken) =>
        CallAsync(() => _client.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = keyArn }, cancellationToken));

    /// <summary>
    /// The customer account's root statement (so the customer keeps full control of its key, and
    /// KMS's lockout check passes) followed by the statements the service asked for.
    /// </summary>
    public static string Policy(string accountId, JsonElement vendorStatements)
    {
        var statements = new JsonArray
        {
            new JsonObject
            {
                ["Sid"] = "CustomerAccountRoot",
                ["Effect"] = "Allow",
                ["Principal"] = new JsonObject { ["AWS"] = $"arn:aws:iam::{accountId}:root" },
                ["Action"] = "kms:*",
                ["Resource"] = "*",
            },
        };
        foreach (var statement in vendorStatements.EnumerateArray())
        {
            statements.Add(JsonNode.Parse(statement.GetRawText()));
        }

        return new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = statements }.ToJsonString(Api.ApiJson.Printing);
    }

    /// <summary>The 12-digit account of a key ARN (<c>arn:aws:kms:REGION:ACCOUNT:key/ID</c>).</summary>
    public static string AccountOf(string keyArn)
    {
        var parts = keyArn?.Split(':') ?? [];
        return parts is ["arn", _, "kms", _, { Length: 12 } account, _] && account.All(char.IsAsciiDigit)
            ? account
            : throw CliException.Usage($"'{keyArn}' is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID).");
    }

    private static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (HttpRequestException ex)
        {
            throw new CliException(ExitCodes.Unavailable, "kms-unreachable",
                $"Could not reach AWS KMS: {ex.Message} Check --kms-url (default {LocalKmsDefaults.Endpoint}).", null, ex);
        }
    }

    public void Dispose() => _client.Dispose();
}
