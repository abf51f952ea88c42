namespace Ekm.Grains.Kms;

/// <summary>
/// The KMS calls the service makes, always with the tenant's encryption context
/// (<see cref="TenantContext"/>). Refusals arrive as <see cref="Problems.EkmProblemException"/>
/// with a key slug (<c>key-disabled</c>, <c>key-access-denied</c>, ...) or <c>kms-unavailable</c>
/// for transient faults, already retried.
/// </summary>
public interface IKms
{
    Task<KmsKeyInfo> DescribeKeyAsync(string keyIdOrArn, CancellationToken cancellationToken = default);

    /// <summary>The key's rotation settings (GetKeyRotationStatus).</summary>
    Task<(bool Enabled, int? PeriodInDays, DateTimeOffset? Next, DateTimeOffset? OnDemandStart)> GetRotationStatusAsync(string keyArn, CancellationToken cancellationToken = default);

    /// <summary>A fresh 256-bit key: its plaintext (caller must clear it) and its blob under <paramref name="keyArn"/>.</summary>
    Task<(byte[] Plaintext, byte[] Wrapped)> GenerateDataKeyAsync(string keyArn, string tenantId, CancellationToken cancellationToken = default);

    /// <summary>A fresh 256-bit key wrapped under <paramref name="keyArn"/>; its plaintext never leaves KMS.</summary>
    Task<byte[]> GenerateWrappedKeyAsync(string keyArn, string tenantId, CancellationToken cancellationToken = default);

    Task<byte[]> DecryptAsync(string keyArn, byte[] wrapped, string tenantId, CancellationToken cancellationToken = default);

    /// <summary>Moves a wrapped key from one KMS key to another inside KMS; the plaintext never leaves it.</summary>
    Task<byte[]> ReEncryptAsync(byte[] wrapped, string sourceKeyArn, string destinationKeyArn, string tenantId, CancellationToken cancellationToken = default);
}

/// <summary>What DescribeKey says about a key, as far as validation needs it.</summary>
public sealed record KmsKeyInfo(string Arn, string Account, string KeyState, string KeySpec, string KeyUsage, bool Enabled);
