using Microsoft.Extensions.Logging;

namespace Ekm.Grains.Keys;

internal static partial class KeyGrainLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "Enterprise Key Management availability for tenant {TenantId} set to {Activated} by {Actor}")]
    public static partial void AvailabilityChanged(ILogger logger, string tenantId, bool activated, string actor);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information,
        Message = "Tenant {TenantId} switched to Enterprise Key Management with {KeyArn} by {Actor}")]
    public static partial void EkmEnabled(ILogger logger, string tenantId, string keyArn, string actor);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information,
        Message = "Tenant {TenantId} key updated from {OldKeyArn} to {KeyArn} by {Actor}")]
    public static partial void KeyUpdated(ILogger logger, string tenantId, string oldKeyArn, string keyArn, string actor);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning,
        Message = "Tenant {TenantId} key {KeyArn} revoked: {Reason}")]
    public static partial void Revoked(ILogger logger, string tenantId, string keyArn, string reason);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information,
        Message = "Tenant {TenantId} key {KeyArn} usable again")]
    public static partial void Recovered(ILogger logger, string tenantId, string keyArn);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning,
        Message = "Publishing key event {Kind} for tenant {TenantId} failed")]
    public static partial void PublishFailed(ILogger logger, Exception exception, string tenantId, string kind);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning,
        Message = "Tenant {TenantId} key update to {KeyArn} is still pending: AWS KMS did not answer; it resumes on the next attempt")]
    public static partial void UpdateStillPending(ILogger logger, string tenantId, string keyArn);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning,
        Message = "Tenant {TenantId}: the key verdict {Status} reached by admission could not be recorded")]
    public static partial void VerdictNotRecorded(ILogger logger, Exception exception, string tenantId, string status);
}
