using Microsoft.Extensions.Logging;

namespace Ekm.Grains.Keys;

internal static partial class KeyGrainLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "Enterprise Key Management availability for tenant {TenantId} set to {Activated} by {Actor}")]
    public static partial void AvailabilityChanged(ILogger logger, string tenantId, bool activated, string actor);
}
