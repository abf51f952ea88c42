namespace Ekm.Keys;

/// <summary>What happened to a tenant's keys; published on the tenant's key-event stream and kept in its audit log.</summary>
public enum KeyEventKind
{
    AvailabilityChanged,
    KeyValidated,
    EkmEnabled,
    KeyUpdateStarted,
    KeyUpdated,
    KeyUpdateRolledBack,
    HealthChecked,
    Revoked,
    Recovered,
}

/// <summary>One key event. Never carries key material.</summary>
[GenerateSerializer, Immutable, Alias("Ekm.Keys.KeyEvent")]
public sealed record KeyEvent(
    [property: Id(0)] string TenantId,
    [property: Id(1)] KeyEventKind Kind,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] string Actor,
    [property: Id(4)] string? KeyArn,
    [property: Id(5)] int KeyEpoch,
    [property: Id(6)] string? Detail);

/// <summary>
/// An audit entry: the event plus its place in the tenant's hash chain. <see cref="Hash"/> is
/// SHA-256 over the previous hash and this entry's fields, so editing or dropping an entry breaks
/// every hash after it.
/// </summary>
[GenerateSerializer, Immutable, Alias("Ekm.Keys.AuditEntry")]
public sealed record AuditEntry(
    [property: Id(0)] long Sequence,
    [property: Id(1)] KeyEvent Event,
    [property: Id(2)] string PreviousHash,
    [property: Id(3)] string Hash);

/// <summary>The audit log as read: newest first, and whether the chain verifies.</summary>
[GenerateSerializer, Immutable, Alias("Ekm.Keys.AuditLog")]
public sealed record AuditLog(
    [property: Id(0)] IReadOnlyList<AuditEntry> Entries,
    [property: Id(1)] bool ChainValid);

public static class KeyStreams
{
    /// <summary>The Orleans stream provider carrying key events.</summary>
    public const string Provider = "ekm-events";

    /// <summary>Stream namespace; the stream key is the tenant id.</summary>
    public const string Namespace = "key-events";
}
