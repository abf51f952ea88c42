using Ekm.Keys;

namespace Ekm.Grains.Keys;

/// <summary>
/// The durable state of a tenant's <see cref="KeyGrain"/>. It is stored as JSON with its type
/// name, so the type is never renamed. It holds the tenant key only wrapped by a KMS key —
/// never plaintext key material.
/// </summary>
[GenerateSerializer, Alias("Ekm.Grains.Keys.KeyState")]
public sealed class KeyState
{
    [Id(0)]
    public KeyManagementMode Mode { get; set; } = KeyManagementMode.CloudKeyManagement;

    [Id(1)]
    public bool EkmActivated { get; set; }

    [Id(2)]
    public string? AvailabilityChangedBy { get; set; }

    [Id(3)]
    public DateTimeOffset? AvailabilityChangedAt { get; set; }

    /// <summary>The KMS key that wraps the tenant key now: the vendor key under CKM, the customer key under EKM.</summary>
    [Id(4)]
    public string? WrappingKeyArn { get; set; }

    /// <summary>The tenant key, wrapped by <see cref="WrappingKeyArn"/> with the tenant's encryption context.</summary>
    [Id(5)]
    public byte[]? WrappedTenantKey { get; set; }

    [Id(6)]
    public int KeyEpoch { get; set; }

    [Id(7)]
    public KeyHealth Health { get; set; } = KeyHealth.NotChecked;

    [Id(8)]
    public TermsAcceptance? Terms { get; set; }

    [Id(9)]
    public List<KeyArnPeriod> History { get; set; } = [];

    /// <summary>A key update written down before its ReEncrypt, so a crash mid-way resumes it.</summary>
    [Id(10)]
    public string? PendingKeyArn { get; set; }

    [Id(11)]
    public string? PendingRequestedBy { get; set; }

    /// <summary>The legal hold key, wrapped by the vendor key (never by the customer's: see DESIGN §4 rule 5).</summary>
    [Id(12)]
    public byte[]? WrappedLegalHoldKey { get; set; }

    [Id(13)]
    public string? LegalHoldKeyArn { get; set; }

    /// <summary>The customer key's rotation settings as KMS last reported them.</summary>
    [Id(14)]
    public KeyRotation? Rotation { get; set; }
}

/// <summary>The tenant's hash-chained audit log (a separate state entry, so key reads stay small).</summary>
[GenerateSerializer, Alias("Ekm.Grains.Keys.AuditState")]
public sealed class AuditState
{
    [Id(0)]
    public List<AuditEntry> Entries { get; set; } = [];
}
