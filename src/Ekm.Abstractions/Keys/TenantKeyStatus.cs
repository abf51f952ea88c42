namespace Ekm.Keys;

/// <summary>What a tenant admin, support and operators see of a tenant's key management.</summary>
[GenerateSerializer, Immutable, Alias("Ekm.Keys.TenantKeyStatus")]
public sealed record TenantKeyStatus(
    [property: Id(0)] string TenantId,
    [property: Id(1)] KeyManagementMode Mode,
    [property: Id(2)] EkmAvailability Availability);

/// <summary>
/// Whether support has made Enterprise Key Management available to the tenant ("controlled
/// availability"), and who last changed that, when.
/// </summary>
[GenerateSerializer, Immutable, Alias("Ekm.Keys.EkmAvailability")]
public sealed record EkmAvailability(
    [property: Id(0)] bool Activated,
    [property: Id(1)] string? ChangedBy,
    [property: Id(2)] DateTimeOffset? ChangedAt);
