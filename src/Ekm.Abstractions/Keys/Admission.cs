namespace Ekm.Keys;

/// <summary>
/// A job operation asking the KeyGrain for a key (DESIGN §12). <see cref="StoredDataKeys"/> are the
/// tenant-key-wrapped data keys a restore or download needs; they are unwrapped with the tenant key
/// of this same admission.
/// </summary>
[GenerateSerializer, Immutable, Alias("Ekm.Keys.AdmissionRequest")]
public sealed record AdmissionRequest(
    [property: Id(0)] string SessionId,
    [property: Id(1)] string OperationId)
{
    [Id(2)]
    public IReadOnlyList<byte[]> StoredDataKeys { get; init; } = [];
}

/// <summary>
/// What an admitted operation holds: a fresh data key (plaintext, for this operation only, in
/// memory only), the same key wrapped by the tenant key (to store beside the data), the key epoch
/// it was admitted under, and the stored data keys it asked for, unwrapped.
/// </summary>
[GenerateSerializer, Alias("Ekm.Keys.KeyLease")]
public sealed record KeyLease(
    [property: Id(0)] byte[] DataKey,
    [property: Id(1)] byte[] WrappedDataKey,
    [property: Id(2)] int KeyEpoch,
    [property: Id(3)] IReadOnlyList<byte[]> StoredDataKeys)
{
    /// <summary>Never the key bytes: a lease may end up in a log line or an exception by accident.</summary>
    public override string ToString() => $"KeyLease(epoch {KeyEpoch}, {StoredDataKeys.Count} stored keys)";
}
