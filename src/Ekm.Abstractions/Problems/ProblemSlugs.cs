namespace Ekm.Problems;

/// <summary>
/// Stable problem <c>type</c> values (RFC 9457). They are part of the public contract: clients,
/// the CLI and job failure reasons match on them, so a slug is never renamed.
/// </summary>
public static class ProblemSlugs
{
    public const string InvalidTenantId = "invalid-tenant-id";
    public const string InvalidRequestBody = "invalid-request-body";
    public const string Unauthenticated = "unauthenticated";
    public const string Forbidden = "forbidden";
    public const string RequestTooLarge = "request-too-large";
    public const string TooManyRequests = "too-many-requests";
    public const string NotFound = "not-found";
    public const string InternalError = "internal-error";
    public const string ServiceUnavailable = "service-unavailable";
    public const string EkmNotActivated = "ekm-not-activated";
    public const string EkmIrreversible = "ekm-irreversible";
    public const string TermsNotAccepted = "terms-not-accepted";
    public const string EkmAlreadyEnabled = "ekm-already-enabled";
    public const string EkmNotEnabled = "ekm-not-enabled";

    // ARN syntax: each mistake its own slug, so the console can point at the part to fix.
    public const string KeyArnRequired = "key-arn-required";
    public const string InvalidKeyArn = "invalid-key-arn";
    public const string NotAKmsKeyArn = "not-a-kms-key-arn";
    public const string InvalidKeyArnPartition = "invalid-key-arn-partition";
    public const string InvalidKeyArnRegion = "invalid-key-arn-region";
    public const string InvalidKeyArnAccount = "invalid-key-arn-account";
    public const string InvalidKeyId = "invalid-key-id";
    public const string UnsupportedKeyProvider = "unsupported-key-provider";

    // What KMS says about the key.
    public const string KeyNotFound = "key-not-found";
    public const string KeyAccessDenied = "key-access-denied";
    public const string KeyDisabled = "key-disabled";
    public const string KeyPendingDeletion = "key-pending-deletion";
    public const string WrongKeySpec = "wrong-key-spec";
    public const string WrongKeyUsage = "wrong-key-usage";
    public const string OldKeyUnavailable = "old-key-unavailable";
    public const string KeyRevoked = "key-revoked";
    public const string KmsUnavailable = "kms-unavailable";
    public const string DataKeyUnreadable = "data-key-unreadable";
    public const string BackupItemCorrupt = "backup-item-corrupt";
    public const string InvalidJobSpec = "invalid-job-spec";
    public const string NothingToRestore = "nothing-to-restore";
}
