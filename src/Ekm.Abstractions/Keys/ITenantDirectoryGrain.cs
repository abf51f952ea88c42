namespace Ekm.Keys;

/// <summary>
/// The tenants on Enterprise Key Management (one instance, key 0). It lets a starting silo wake
/// every EKM tenant's KeyGrain, which re-arms its health reminder — needed where reminders are not
/// durable (the embedded host) — and lets operators list tenants.
/// </summary>
[Alias("Ekm.Keys.ITenantDirectoryGrain")]
public interface ITenantDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Add")]
    Task AddAsync(string tenantId);

    [Alias("List")]
    Task<IReadOnlyList<string>> ListAsync();

    /// <summary>Activates every listed tenant's KeyGrain (each activation re-registers its health reminder).</summary>
    [Alias("WakeAll")]
    Task WakeAllAsync();
}
