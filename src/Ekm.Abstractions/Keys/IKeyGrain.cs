namespace Ekm.Keys;

/// <summary>
/// The single authority for one tenant's keys. Grain key: the tenant id (see <see cref="Tenants.TenantId"/>).
/// </summary>
[Alias("Ekm.Keys.IKeyGrain")]
public interface IKeyGrain : IGrainWithStringKey
{
    /// <summary>The tenant's key management mode and Enterprise Key Management availability.</summary>
    [Alias("GetStatus")]
    Task<TenantKeyStatus> GetStatusAsync();

    /// <summary>
    /// Support switches Enterprise Key Management availability on or off for the tenant.
    /// <paramref name="actor"/> names who asked (recorded, never a secret).
    /// </summary>
    [Alias("SetAvailability")]
    Task<TenantKeyStatus> SetAvailabilityAsync(bool activated, string actor);
}
