namespace Ekm.LocalKms.Tests.ClientCompatibility;

/// <summary>The local KMS driven by the AWS CLI (<c>aws kms …</c>), one process per call.</summary>
public sealed class AwsCliCompatibilityTests(LocalKmsFixture kms) : KmsClientScenarios(kms)
{
    [AwsCliFact]
    public Task CreateKey_DefaultAndMultiRegion_ListedWithExpectedIds() => CreateKeyAndListKeysAsync();

    [AwsCliFact]
    public Task DescribeKey_ByIdArnAliasAndAliasArn_FindsTheSameKey() => DescribeKeyByEveryNameAsync();

    [AwsCliFact]
    public Task DeleteAlias_AfterCreateAndList_AliasNoLongerResolves() => AliasLifecycleAsync();

    [AwsCliFact]
    public Task EncryptDecrypt_WithEncryptionContext_RestoresTheBytes() => EncryptDecryptRoundTripAsync();

    [AwsCliFact]
    public Task GenerateDataKey_Aes256WithAndWithoutPlaintext_Unwraps32Bytes() => GenerateDataKeysAsync();

    [AwsCliFact]
    public Task ReEncrypt_ToSecondKey_DecryptsUnderSecondKey() => ReEncryptToSecondKeyAsync();

    [AwsCliFact]
    public Task DisableKey_ThenDecrypt_FailsWithDisabledExceptionUntilEnabled() => DisableAndEnableAsync();

    [AwsCliFact]
    public Task ScheduleKeyDeletion_ThenEncryptAndCancel_InvalidStateThenDisabled() => ScheduleAndCancelDeletionAsync();

    [AwsCliFact]
    public Task PutKeyPolicy_ThenGetKeyPolicy_ReturnsTheNewPolicy() => PutAndGetKeyPolicyAsync();

    [AwsCliFact]
    public Task CreateGrant_ToOtherAccount_AllowsEncryptUntilRevoked() => GrantToOtherAccountUntilRevokedAsync();

    [AwsCliFact]
    public Task ListKeys_WithWrongSecret_FailsWithInvalidSignatureException() => ListKeysWithWrongSecretAsync();

    [AwsCliFact]
    public Task ListKeys_WithUnknownAccessKey_FailsWithUnrecognizedClientException() => ListKeysWithUnknownAccessKeyAsync();

    protected override IKmsClient Connect(KmsClientSession session, string accessKeyId, string secretAccessKey) =>
        new AwsCliClient(session, accessKeyId, secretAccessKey);
}
