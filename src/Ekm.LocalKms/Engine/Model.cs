namespace Ekm.LocalKms.Engine;

public enum KeyState
{
    Enabled,
    Disabled,
    PendingDeletion,
}

/// <summary>A KMS key as the local KMS stores it, backing key material included.</summary>
public sealed class KmsKey
{
    public required string KeyId { get; init; }

    public required string Account { get; init; }

    public required string Region { get; init; }

    public required string Partition { get; init; }

    public string Arn => $"arn:{Partition}:kms:{Region}:{Account}:key/{KeyId}";

    public required DateTimeOffset CreationDate { get; init; }

    public string Description { get; set; } = "";

    public required string KeyUsage { get; init; }

    public required string KeySpec { get; init; }

    public bool MultiRegion { get; init; }

    public KeyState State { get; set; } = KeyState.Enabled;

    public DateTimeOffset? DeletionDate { get; set; }

    public int? PendingWindowInDays { get; set; }

    public required string Policy { get; set; }

    /// <summary>Backing key versions, oldest first; a ciphertext names the version that made it.</summary>
    public List<byte[]> Material { get; init; } = [];

    public bool RotationEnabled { get; set; }

    public int RotationPeriodInDays { get; set; } = 365;

    public DateTimeOffset? NextRotationDate { get; set; }

    public DateTimeOffset? OnDemandRotationStartDate { get; set; }

    public List<RotationRecord> Rotations { get; init; } = [];

    public bool IsSymmetricEncryption => KeySpec == KeySpecs.SymmetricDefault && KeyUsage == KeyUsages.EncryptDecrypt;
}

public sealed record RotationRecord(DateTimeOffset RotationDate, string RotationType);

public sealed class KmsAlias
{
    public required string AliasName { get; init; }

    public required string Account { get; init; }

    public required string Region { get; init; }

    public required string Partition { get; init; }

    public string Arn => $"arn:{Partition}:kms:{Region}:{Account}:{AliasName}";

    public required string TargetKeyId { get; set; }

    public required DateTimeOffset CreationDate { get; init; }

    public DateTimeOffset LastUpdatedDate { get; set; }
}

public sealed class KmsGrant
{
    public required string GrantId { get; init; }

    public required string GrantToken { get; init; }

    public required string KeyArn { get; init; }

    public string? Name { get; init; }

    public required string GranteePrincipal { get; init; }

    public string? RetiringPrincipal { get; init; }

    public required string IssuingAccount { get; init; }

    public required IReadOnlyList<string> Operations { get; init; }

    public IReadOnlyDictionary<string, string>? EncryptionContextSubset { get; init; }

    public IReadOnlyDictionary<string, string>? EncryptionContextEquals { get; init; }

    public required DateTimeOffset CreationDate { get; init; }
}

public static class KeySpecs
{
    public const string SymmetricDefault = "SYMMETRIC_DEFAULT";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        SymmetricDefault, "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
        "ECC_SECG_P256K1", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2",
    };
}

public static class KeyUsages
{
    public const string EncryptDecrypt = "ENCRYPT_DECRYPT";
    public const string SignVerify = "SIGN_VERIFY";
    public const string GenerateVerifyMac = "GENERATE_VERIFY_MAC";
    public const string KeyAgreement = "KEY_AGREEMENT";

    /// <summary>The usages AWS allows for a key spec; the first is the default.</summary>
    public static IReadOnlyList<string> AllowedFor(string keySpec) => keySpec switch
    {
        KeySpecs.SymmetricDefault => [EncryptDecrypt],
        _ when keySpec.StartsWith("HMAC_", StringComparison.Ordinal) => [GenerateVerifyMac],
        _ when keySpec.StartsWith("RSA_", StringComparison.Ordinal) => [EncryptDecrypt, SignVerify],
        "SM2" => [EncryptDecrypt, SignVerify, KeyAgreement],
        "ECC_SECG_P256K1" => [SignVerify],
        _ => [SignVerify, KeyAgreement],
    };
}
