using Ekm.Keys;

namespace Ekm.Grains.Keys;

/// <summary>
/// The durable state of a tenant's <see cref="KeyGrain"/>. It is stored as JSON with its type
/// name, so the type is never renamed. Never put plaintext key material here.
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
}
