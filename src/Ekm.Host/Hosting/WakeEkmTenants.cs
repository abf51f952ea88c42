using Ekm.Keys;

namespace Ekm.Host.Hosting;

/// <summary>
/// At silo start, wakes every EKM tenant's KeyGrain so it re-arms its health reminder: the
/// embedded host keeps reminders in memory, so a restart would otherwise leave keys unprobed
/// until each tenant is next used.
/// </summary>
internal static class WakeEkmTenants
{
    public static Task RunAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetRequiredService<IGrainFactory>().GetGrain<ITenantDirectoryGrain>(0).WakeAllAsync();
}
