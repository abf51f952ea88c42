using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Ekm.LocalKms.Hosting;

namespace Ekm.LocalKms.Tests;

/// <summary>
/// AWS's key-state table for symmetric keys with AWS-made material, row by row through the real
/// SDK, and what happens over time: deletion after the waiting period, cancellation, rotation.
/// Every test makes its own keys; moving the fixture's clock only ever matters to keys made by
/// the test that moves it.
/// </summary>
public sealed class KeyStateTests(LocalKmsFixture kms) : IClassFixture<LocalKmsFixture>
{
    private const string Success = "Success";
    private const string Disabled = "DisabledException";
    private const string InvalidState = "KMSInvalidStateException";
    private const string NotFound = "NotFoundException";
    private const string Validation = "ValidationException";

    private const string StateEnabled = "Enabled";
    private const string StateDisabled = "Disabled";
    private const string StatePendingDeletion = "PendingDeletion";

    private const string Plaintext = "key-state";
    private static readonly string VendorRoot = $"arn:aws:iam::{LocalKmsAccounts.VendorAccountId}:root";

    /// <summary>
    /// The operation on the key under test, and AWS's answer for it when that key is Enabled,
    /// Disabled or PendingDeletion. ReEncryptFrom re-encrypts the key's ciphertext under another
    /// key; ReEncryptTo re-encrypts another key's ciphertext under it.
    /// </summary>
    private static readonly KeyOperation[] AwsTable =
    [
        new("Encrypt", k => EncryptAsync(k.Client, k.KeyId), Success, Disabled, InvalidState),
        new("Decrypt", k => AssertDecryptsAsync(k.Client, k.Ciphertext, k.Arn), Success, Disabled, InvalidState),
        new("GenerateDataKey", k => k.Client.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = k.KeyId, KeySpec = DataKeySpec.AES_256 }),
            Success, Disabled, InvalidState),
        new("GenerateDataKeyWithoutPlaintext",
            k => k.Client.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = k.KeyId, KeySpec = DataKeySpec.AES_256 }),
            Success, Disabled, InvalidState),
        new("ReEncryptFrom", k => ReEncryptAsync(k.Client, k.Ciphertext, k.OtherKeyId), Success, Disabled, InvalidState),
        new("ReEncryptTo", k => ReEncryptAsync(k.Client, k.OtherCiphertext, k.KeyId), Success, Disabled, InvalidState),
        new("CreateGrant", k => GrantAsync(k.Client, k.KeyId), Success, Disabled, InvalidState),

        new("DescribeKey", k => DescribeAsync(k.Client, k.KeyId), Success, Success, Success),
        new("GetKeyPolicy", k => k.Client.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = k.KeyId }), Success, Success, Success),
        new("PutKeyPolicy", k => k.Client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = k.KeyId, Policy = k.Policy }), Success, Success, Success),
        new("ListGrants", AssertGrantListedAsync, Success, Success, Success),
        new("RevokeGrant", k => k.Client.RevokeGrantAsync(new RevokeGrantRequest { KeyId = k.KeyId, GrantId = k.GrantId }), Success, Success, Success),
        new("RetireGrant", k => k.Client.RetireGrantAsync(new RetireGrantRequest { KeyId = k.KeyId, GrantId = k.GrantId }), Success, Success, Success),
        new("ListAliases", AssertAliasListedForKeyAsync, Success, Success, Success),
        new("DeleteAlias", k => k.Client.DeleteAliasAsync(new DeleteAliasRequest { AliasName = k.AliasName }), Success, Success, Success),
        new("ListKeys", async k => Assert.Contains(k.KeyId, await ListKeyIdsAsync(k.Client)), Success, Success, Success),

        new("EnableKey", k => k.Client.EnableKeyAsync(new EnableKeyRequest { KeyId = k.KeyId }), Success, Success, InvalidState),
        new("DisableKey", k => k.Client.DisableKeyAsync(new DisableKeyRequest { KeyId = k.KeyId }), Success, Success, InvalidState),
        new("ScheduleKeyDeletion", k => ScheduleDeletionAsync(k.Client, k.KeyId, 7), Success, Success, InvalidState),
        new("CreateAlias", k => AliasAsync(k.Client, k.KeyId), Success, Success, InvalidState),
        new("CancelKeyDeletion", k => k.Client.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = k.KeyId }), InvalidState, InvalidState, Success),

        new("EnableKeyRotation", k => k.Client.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = k.KeyId }), Success, Disabled, InvalidState),
        new("DisableKeyRotation", k => k.Client.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = k.KeyId }), Success, Disabled, InvalidState),
        new("RotateKeyOnDemand", k => k.Client.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = k.KeyId }), Success, Disabled, InvalidState),
        new("GetKeyRotationStatus", k => RotationStatusAsync(k.Client, k.KeyId), Success, Success, Success),
        new("ListKeyRotations", k => RotationsAsync(k.Client, k.KeyId), Success, Success, Success),
    ];

    public static TheoryData<string, string, string> AwsKeyStateTable()
    {
        var rows = new TheoryData<string, string, string>();
        foreach (var operation in AwsTable)
        {
            rows.Add(operation.Name, StateEnabled, operation.Enabled);
            rows.Add(operation.Name, StateDisabled, operation.Disabled);
            rows.Add(operation.Name, StatePendingDeletion, operation.PendingDeletion);
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(AwsKeyStateTable))]
    public async Task KeyOperation_InKeyState_AnswersAsAwsKeyStateTable(string operation, string state, string expected)
    {
        using var client = kms.CustomerA();
        var key = await ArrangeKeyAsync(client);
        await PutInStateAsync(key, state);

        var failure = await FailureOf(() => AwsTable.Single(o => o.Name == operation).Run(key));

        Assert.Equal(expected, failure?.ErrorCode ?? Success);
        if (failure is not null)
        {
            var phrase = expected == Disabled ? "disabled" : state == StatePendingDeletion ? "pending deletion" : "not pending deletion";
            Assert.Equal($"{key.Arn} is {phrase}.", failure.Message);
        }
    }

    [Fact]
    public async Task CancelKeyDeletion_PendingDeletion_LeavesKeyDisabled()
    {
        using var client = kms.CustomerA();
        var key = await client.NewKeyAsync();
        var ciphertext = await EncryptAsync(client, key.KeyId);
        await ScheduleDeletionAsync(client, key.KeyId, 7);

        var cancelled = await client.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key.KeyId });

        Assert.Equal(key.Arn, cancelled.KeyId);
        var metadata = await DescribeAsync(client, key.KeyId);
        Assert.Equal(KeyState.Disabled, metadata.KeyState);
        Assert.False(metadata.Enabled);
        Assert.Null(metadata.DeletionDate);
        Assert.Null(metadata.PendingDeletionWindowInDays);
        Assert.Equal(Disabled, (await FailureOf(() => EncryptAsync(client, key.KeyId)))?.ErrorCode);

        await client.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId });
        await AssertDecryptsAsync(client, ciphertext, key.Arn);
    }

    [Fact]
    public async Task Deletion_AfterWaitingPeriod_EveryOperationNotFound()
    {
        using var client = kms.CustomerA();
        var key = await ArrangeDeletedKeyAsync(client);

        var outcomes = new List<string>();
        foreach (var operation in AwsTable.Where(o => o.Name != "ListKeys"))
        {
            var failure = await FailureOf(() => operation.Run(key));
            outcomes.Add($"{operation.Name}: {failure?.ErrorCode ?? Success}");
        }

        Assert.All(outcomes, outcome => Assert.EndsWith($": {NotFound}", outcome, StringComparison.Ordinal));
        Assert.DoesNotContain(key.KeyId, await ListKeyIdsAsync(client));
        await AssertDecryptsAsync(client, key.OtherCiphertext, key.OtherKeyArn);
    }

    [Fact]
    public async Task Deletion_AfterWaitingPeriod_AliasGoneFromAccountListing()
    {
        using var client = kms.CustomerA();
        var key = await ArrangeDeletedKeyAsync(client);

        Assert.DoesNotContain(key.AliasName, await ListAliasNamesAsync(client));
    }

    [Theory]
    [InlineData(6, Validation)]
    [InlineData(7, Success)]
    [InlineData(30, Success)]
    [InlineData(31, Validation)]
    public async Task ScheduleKeyDeletion_PendingWindow_OnlySevenToThirtyDaysAccepted(int days, string expected)
    {
        using var client = kms.CustomerA();
        var key = await client.NewKeyAsync();

        var failure = await FailureOf(() => ScheduleDeletionAsync(client, key.KeyId, days));

        Assert.Equal(expected, failure?.ErrorCode ?? Success);
        var metadata = await DescribeAsync(client, key.KeyId);
        if (failure is null)
        {
            Assert.Equal(KeyState.PendingDeletion, metadata.KeyState);
            Assert.Equal(days, metadata.PendingDeletionWindowInDays);
            AssertAbout(kms.Time.GetUtcNow().AddDays(days), metadata.DeletionDate);
        }
        else
        {
            Assert.Equal(KeyState.Enabled, metadata.KeyState);
        }
    }

    [Theory]
    [InlineData("ScheduleKeyDeletion", 31)]
    [InlineData("EnableKeyRotation", 89)]
    public async Task KeyOperation_OutOfRangeDaysForUnknownKey_ValidationBeforeLookup(string operation, int days)
    {
        using var client = kms.CustomerA();
        var unknown = Guid.NewGuid().ToString();

        var failure = await FailureOf(() => operation == "ScheduleKeyDeletion"
            ? ScheduleDeletionAsync(client, unknown, days)
            : client.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = unknown, RotationPeriodInDays = days }));

        Assert.Equal(Validation, failure?.ErrorCode);
    }

    [Fact]
    public async Task RotateKeyOnDemand_Twice_OldAndNewCiphertextsDecryptUnderTheSameArn()
    {
        using var client = kms.CustomerA();
        var key = await client.NewKeyAsync();
        var ciphertexts = new List<MemoryStream> { await EncryptAsync(client, key.KeyId) };

        for (var i = 0; i < 2; i++)
        {
            var rotated = await client.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId });
            Assert.Equal(key.Arn, rotated.KeyId);
            ciphertexts.Add(await EncryptAsync(client, key.KeyId));
        }

        foreach (var ciphertext in ciphertexts)
        {
            await AssertDecryptsAsync(client, ciphertext, key.Arn);
        }

        Assert.Equal(key.Arn, (await DescribeAsync(client, key.KeyId)).Arn);
        var rotations = await RotationsAsync(client, key.KeyId);
        Assert.Equal(2, rotations.Count);
        Assert.All(rotations, r => Assert.Equal(RotationType.ON_DEMAND, r.RotationType));
        Assert.All(rotations, r => Assert.Equal(key.Arn, r.KeyId));
        var status = await RotationStatusAsync(client, key.KeyId);
        AssertAbout(kms.Time.GetUtcNow(), status.OnDemandRotationStartDate);
        Assert.False(status.KeyRotationEnabled);
    }

    [Fact]
    public async Task EnableKeyRotation_WithPeriod_StatusShowsPeriodAndNextRotation()
    {
        using var client = kms.CustomerA();
        var key = await client.NewKeyAsync();

        await client.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = 180 });

        var enabled = await RotationStatusAsync(client, key.KeyId);
        Assert.True(enabled.KeyRotationEnabled);
        Assert.Equal(180, enabled.RotationPeriodInDays);
        AssertAbout(kms.Time.GetUtcNow().AddDays(180), enabled.NextRotationDate);

        await client.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = key.KeyId });

        var disabled = await RotationStatusAsync(client, key.KeyId);
        Assert.False(disabled.KeyRotationEnabled);
        Assert.Null(disabled.RotationPeriodInDays);
        Assert.Null(disabled.NextRotationDate);
    }

    [Theory]
    [InlineData(89)]
    [InlineData(2561)]
    public async Task EnableKeyRotation_PeriodOutsideNinetyTo2560Days_ValidationException(int days)
    {
        using var client = kms.CustomerA();
        var key = await client.NewKeyAsync();

        var failure = await FailureOf(() => client.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = days }));

        Assert.Equal(Validation, failure?.ErrorCode);
        Assert.False((await RotationStatusAsync(client, key.KeyId)).KeyRotationEnabled);
    }

    [Fact]
    public async Task AutomaticRotation_ClockPassesNextRotationDate_RotatesAndOldCiphertextsDecrypt()
    {
        using var client = kms.CustomerA();
        var key = await client.NewKeyAsync();
        var before = await EncryptAsync(client, key.KeyId);
        await client.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = 90 });
        var due = (await RotationStatusAsync(client, key.KeyId)).NextRotationDate!.Value;

        kms.Time.Advance(TimeSpan.FromDays(90) - TimeSpan.FromSeconds(1));
        Assert.Empty(await RotationsAsync(client, key.KeyId));

        kms.Time.Advance(TimeSpan.FromSeconds(2));
        var rotation = Assert.Single(await RotationsAsync(client, key.KeyId));

        Assert.Equal(RotationType.AUTOMATIC, rotation.RotationType);
        AssertAbout(due, rotation.RotationDate); // dated when it was due, not when it was noticed
        AssertAbout(new DateTimeOffset(due, TimeSpan.Zero).AddDays(90), (await RotationStatusAsync(client, key.KeyId)).NextRotationDate); // the schedule keeps its rhythm
        await AssertDecryptsAsync(client, before, key.Arn);
        await AssertDecryptsAsync(client, await EncryptAsync(client, key.KeyId), key.Arn);
    }

    [Fact]
    public async Task GetKeyRotationStatus_PendingDeletion_FalseUntilDeletionCancelled()
    {
        using var client = kms.CustomerA();
        var key = await client.NewKeyAsync();
        await client.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId });
        await ScheduleDeletionAsync(client, key.KeyId, 7);

        Assert.False((await RotationStatusAsync(client, key.KeyId)).KeyRotationEnabled);

        await client.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key.KeyId });
        Assert.True((await RotationStatusAsync(client, key.KeyId)).KeyRotationEnabled);
    }

    /// <summary>A fresh key and everything the table's operations need of it, all made while it was Enabled.</summary>
    private sealed record KeyUnderTest(IAmazonKeyManagementService Client, string KeyId, string Arn, string Policy, MemoryStream Ciphertext,
        string GrantId, string AliasName, string OtherKeyId, string OtherKeyArn, MemoryStream OtherCiphertext);

    private sealed record KeyOperation(string Name, Func<KeyUnderTest, Task> Run, string Enabled, string Disabled, string PendingDeletion);

    private static async Task<KeyUnderTest> ArrangeKeyAsync(IAmazonKeyManagementService client)
    {
        var key = await client.NewKeyAsync();
        var other = await client.NewKeyAsync();
        var policy = await client.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId });
        var grant = await GrantAsync(client, key.KeyId);
        var alias = await AliasAsync(client, key.KeyId);
        return new KeyUnderTest(client, key.KeyId, key.Arn, policy.Policy, await EncryptAsync(client, key.KeyId),
            grant.GrantId, alias, other.KeyId, other.Arn, await EncryptAsync(client, other.KeyId));
    }

    /// <summary>A key scheduled for deletion in 7 days, with the fake clock moved just past its deletion date.</summary>
    private async Task<KeyUnderTest> ArrangeDeletedKeyAsync(IAmazonKeyManagementService client)
    {
        var key = await ArrangeKeyAsync(client);
        var scheduled = await ScheduleDeletionAsync(client, key.KeyId, 7);
        AssertAbout(kms.Time.GetUtcNow().AddDays(7), scheduled.DeletionDate);

        kms.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        Assert.Equal(KeyState.PendingDeletion, (await DescribeAsync(client, key.KeyId)).KeyState);

        kms.Time.Advance(TimeSpan.FromSeconds(2));
        return key;
    }

    private static async Task PutInStateAsync(KeyUnderTest key, string state)
    {
        switch (state)
        {
            case StateEnabled:
                break;
            case StateDisabled:
                await key.Client.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });
                break;
            case StatePendingDeletion:
                await ScheduleDeletionAsync(key.Client, key.KeyId, 7);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(state), state, "Not a key state.");
        }

        Assert.Equal(state, (await DescribeAsync(key.Client, key.KeyId)).KeyState.Value);
    }

    private static async Task<AmazonKeyManagementServiceException?> FailureOf(Func<Task> operation)
    {
        try
        {
            await operation();
            return null;
        }
        catch (AmazonKeyManagementServiceException ex)
        {
            return ex;
        }
    }

    private static void AssertAbout(DateTimeOffset expected, DateTime? actual)
    {
        Assert.NotNull(actual);
        Assert.InRange(actual.Value, expected.UtcDateTime.AddSeconds(-1), expected.UtcDateTime.AddSeconds(1));
    }

    private static async Task<KeyMetadata> DescribeAsync(IAmazonKeyManagementService client, string keyId) =>
        (await client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;

    private static Task<MemoryStream> EncryptAsync(IAmazonKeyManagementService client, string keyId) => client.EncryptTextAsync(keyId, Plaintext);

    private static async Task AssertDecryptsAsync(IAmazonKeyManagementService client, MemoryStream ciphertext, string keyArn) =>
        Assert.Equal((Plaintext, keyArn), await client.DecryptTextAsync(ciphertext));

    private static Task<ReEncryptResponse> ReEncryptAsync(IAmazonKeyManagementService client, MemoryStream ciphertext, string destinationKeyId) =>
        client.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = new MemoryStream(ciphertext.ToArray()), DestinationKeyId = destinationKeyId });

    private static Task<CreateGrantResponse> GrantAsync(IAmazonKeyManagementService client, string keyId) =>
        client.CreateGrantAsync(new CreateGrantRequest { KeyId = keyId, GranteePrincipal = VendorRoot, Operations = ["Decrypt"] });

    private static async Task<string> AliasAsync(IAmazonKeyManagementService client, string keyId)
    {
        var name = $"alias/key-state-{Guid.NewGuid():N}";
        await client.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = keyId });
        return name;
    }

    private static Task<ScheduleKeyDeletionResponse> ScheduleDeletionAsync(IAmazonKeyManagementService client, string keyId, int days) =>
        client.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = days });

    private static Task<GetKeyRotationStatusResponse> RotationStatusAsync(IAmazonKeyManagementService client, string keyId) =>
        client.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId });

    private static async Task<List<RotationsListEntry>> RotationsAsync(IAmazonKeyManagementService client, string keyId) =>
        (await client.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId })).Rotations ?? [];

    private static async Task AssertGrantListedAsync(KeyUnderTest key)
    {
        var grants = await key.Client.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId });
        Assert.Contains(key.GrantId, (grants.Grants ?? []).Select(g => g.GrantId));
    }

    private static async Task AssertAliasListedForKeyAsync(KeyUnderTest key)
    {
        var aliases = await key.Client.ListAliasesAsync(new ListAliasesRequest { KeyId = key.KeyId });
        Assert.Contains(key.AliasName, (aliases.Aliases ?? []).Select(a => a.AliasName));
    }

    private static ValueTask<List<string>> ListKeyIdsAsync(IAmazonKeyManagementService client) =>
        client.Paginators.ListKeys(new ListKeysRequest()).Keys.Select(k => k.KeyId).ToListAsync();

    private static ValueTask<List<string>> ListAliasNamesAsync(IAmazonKeyManagementService client) =>
        client.Paginators.ListAliases(new ListAliasesRequest()).Aliases.Select(a => a.AliasName).ToListAsync();
}
