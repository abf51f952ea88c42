namespace Ekm.LocalKms.Tests.ClientCompatibility;

/// <summary>The local KMS driven by the AWS SDK for JavaScript v3 (<c>tests/clients/js/kms.mjs</c>), one process per call.</summary>
public sealed class NodeSdkCompatibilityTests(LocalKmsFixture kms) : KmsClientScenarios(kms)
{
    [NodeKmsFact]
    public Task CreateKey_DefaultAndMultiRegion_ListedWithExpectedIds() => CreateKeyAndListKeysAsync();

    [NodeKmsFact]
    public Task DescribeKey_ByIdArnAliasAndAliasArn_FindsTheSameKey() => DescribeKeyByEveryNameAsync();

    [NodeKmsFact]
    public Task DeleteAlias_AfterCreateAndList_AliasNoLongerResolves() => AliasLifecycleAsync();

    [NodeKmsFact]
    public Task EncryptDecrypt_WithEncryptionContext_RestoresTheBytes() => EncryptDecryptRoundTripAsync();

    [NodeKmsFact]
    public Task GenerateDataKey_Aes256WithAndWithoutPlaintext_Unwraps32Bytes() => GenerateDataKeysAsync();

    [NodeKmsFact]
    public Task ReEncrypt_ToSecondKey_DecryptsUnderSecondKey() => ReEncryptToSecondKeyAsync();

    [NodeKmsFact]
    public Task DisableKey_ThenDecrypt_FailsWithDisabledExceptionUntilEnabled() => DisableAndEnableAsync();

    [NodeKmsFact]
    public Task ScheduleKeyDeletion_ThenEncryptAndCancel_InvalidStateThenDisabled() => ScheduleAndCancelDeletionAsync();

    [NodeKmsFact]
    public Task PutKeyPolicy_ThenGetKeyPolicy_ReturnsTheNewPolicy() => PutAndGetKeyPolicyAsync();

    [NodeKmsFact]
    public Task CreateGrant_ToOtherAccount_AllowsEncryptUntilRevoked() => GrantToOtherAccountUntilRevokedAsync();

    [NodeKmsFact]
    public Task ListKeys_WithWrongSecret_FailsWithInvalidSignatureException() => ListKeysWithWrongSecretAsync();

    [NodeKmsFact]
    public Task ListKeys_WithUnknownAccessKey_FailsWithUnrecognizedClientException() => ListKeysWithUnknownAccessKeyAsync();

    protected override IKmsClient Connect(KmsClientSession session, string accessKeyId, string secretAccessKey) =>
        new NodeSdkClient(session, accessKeyId, secretAccessKey);
}
