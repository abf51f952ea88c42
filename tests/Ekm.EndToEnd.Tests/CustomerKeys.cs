using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Ekm.LocalKms.Hosting;

namespace Ekm.EndToEnd.Tests;

/// <summary>
/// The customer's side of the host's local KMS: customer A (444455556666) making and disabling its
/// own keys with the AWS SDK, as it would in the AWS KMS console.
/// </summary>
internal sealed class CustomerKeys : IDisposable
{
    public const string AccountId = LocalKmsAccounts.CustomerAAccountId;

    private readonly AmazonKeyManagementServiceClient _kms;

    public CustomerKeys(Uri localKms)
    {
        var credentials = LocalKmsAccounts.Defaults().Single(a => a.AccountId == AccountId).AccessKeys[0];
        _kms = new AmazonKeyManagementServiceClient(
            new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey),
            new AmazonKeyManagementServiceConfig { ServiceURL = localKms.ToString(), AuthenticationRegion = "us-east-1" });
    }

    /// <summary>A symmetric key with the default policy: the customer's account only, the vendor not admitted.</summary>
    public async Task<string> CreateKeyAsync()
    {
        var created = await _kms.CreateKeyAsync(new CreateKeyRequest { Description = "customer key for an end-to-end console test" });
        return created.KeyMetadata.Arn;
    }

    /// <summary>
    /// The key's policy as a customer edits it: their own root statement, and the statements the console
    /// shows pasted into the <c>Statement</c> list (they are shown as list items, separated by commas).
    /// </summary>
    public async Task AdmitVendorAsync(string keyArn, string pastedStatements)
    {
        var statements = JsonNode.Parse($"[{pastedStatements}]")!.AsArray();
        statements.Insert(0, new JsonObject
        {
            ["Sid"] = "CustomerAccountRoot",
            ["Effect"] = "Allow",
            ["Principal"] = new JsonObject { ["AWS"] = $"arn:aws:iam::{AccountId}:root" },
            ["Action"] = "kms:*",
            ["Resource"] = "*",
        });
        var policy = new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = statements };
        await _kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = keyArn, Policy = policy.ToJsonString() });
    }

    public Task DisableAsync(string keyArn) => _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = keyArn });

    public void Dispose() => _kms.Dispose();
}
