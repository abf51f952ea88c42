namespace Ekm.Keys;

/// <summary>What a tenant admin, support and operators see of a tenant's key management.</summary>
[GenerateSerializer, Immutable, Alias("Ekm.Keys.TenantKeyStatus")]
public sealed record TenantKeyStatus(
    [property: Id(0)] string TenantId,
    [property: Id(1)] KeyManagementMode Mode,
    [property: Id(2)] EkmAvailability Availability)
{
    /// <summary>The customer key under Enterprise Key Management; null under Cloud Key Management.</summary>
    [Id(3)]
    public string? KeyArn { get; init; }

    [Id(4)]
    public KeyHealth Health { get; init; } = KeyHealth.NotChecked;

    [Id(5)]
    public TermsAcceptance? Terms { get; init; }

    /// <summary>An update to this key ARN has started and not finished.</summary>
    [Id(6)]
    public string? PendingKeyArn { get; init; }

    /// <summary>Every customer key ARN used, oldest first, with when it was in use.</summary>
    [Id(7)]
    public IReadOnlyList<KeyArnPeriod> History { get; init; } = [];

    /// <summary>Bumped on every change of wrapping key or revocation; leases carry it.</summary>
    [Id(8)]
    public int KeyEpoch { get; init; }

    /// <summary>The customer key's rotation settings as KMS last reported them (null if not readable).</summary>
    [Id(9)]
    public KeyRotation? Rotation { get; init; }
}

/// <summary>
/// Rotation inside AWS KMS keeps the key ARN and every older backing key, so it is transparent to
/// the service; the status shows it so an admin can see whether automatic rotation is on.
/// </summary>
[GenerateSerializer, Immutable, Alias("Ekm.Keys.KeyRotation")]
public sealed record KeyRotation(
    [property: Id(0)] bool AutomaticRotationEnabled,
    [property: Id(1)] int? RotationPeriodInDays,
    [property: Id(2)] DateTimeOffset? NextRotationDate,
    [property: Id(3)] DateTimeOffset? LastOnDemandRotation,
    [property: Id(4)] DateTimeOffset CheckedAt);

/// <summary>
/// Whether support has made Enterprise Key Management available to the tenant ("controlled
/// availability"), and who last changed that, when.
/// </summary>
[GenerateSerializer, Immutable, Alias("Ekm.Keys.EkmAvailability")]
public sealed record EkmAvailability(
    [property: Id(0)] bool Activated,
    [property: Id(1)] string? ChangedBy,
    [property: Id(2)] DateTimeOffset? ChangedAt);

public enum KeyHealthStatus
{
    /// <summary>Not on Enterprise Key Management, or not probed yet.</summary>
    NotChecked = 0,
    Healthy = 1,

    /// <summary>KMS says the vendor can no longer use the key (disabled, deleted, access removed).</summary>
    Revoked = 2,

    /// <summary>KMS did not answer (throttling, 5xx, timeouts): says nothing about the key.</summary>
    Unavailable = 3,
}

/// <summary>The last verdict on the tenant's key: status, the problem slug behind it, when checked.</summary>
[GenerateSerializer, Immutable, Alias("Ekm.Keys.KeyHealth")]
public sealed record KeyHealth(
    [property: Id(0)] KeyHealthStatus Status,
    [property: Id(1)] string? Reason,
    [property: Id(2)] DateTimeOffset? CheckedAt,
    [property: Id(3)] DateTimeOffset? Since)
{
    public static KeyHealth NotChecked { get; } = new(KeyHealthStatus.NotChecked, null, null, null);
}

[GenerateSerializer, Immutable, Alias("Ekm.Keys.TermsAcceptance")]
public sealed record TermsAcceptance(
    [property: Id(0)] string Version,
    [property: Id(1)] string AcceptedBy,
    [property: Id(2)] DateTimeOffset AcceptedAt);

[GenerateSerializer, Immutable, Alias("Ekm.Keys.KeyArnPeriod")]
public sealed record KeyArnPeriod(
    [property: Id(0)] string KeyArn,
    [property: Id(1)] DateTimeOffset From,
    [property: Id(2)] DateTimeOffset? To);

/// <summary>What validation learned of a key that passed every check.</summary>
[GenerateSerializer, Immutable, Alias("Ekm.Keys.KeyValidation")]
public sealed record KeyValidation(
    [property: Id(0)] string KeyArn,
    [property: Id(1)] string KeySpec,
    [property: Id(2)] string KeyUsage,
    [property: Id(3)] string KeyState);

/// <summary>A tenant admin's request to switch to Enterprise Key Management.</summary>
[GenerateSerializer, Immutable, Alias("Ekm.Keys.EnableEkm")]
public sealed record EnableEkm(
    [property: Id(0)] string KeyArn,
    [property: Id(1)] bool AcceptTerms,
    [property: Id(2)] string? TermsVersion,
    [property: Id(3)] string Actor);
