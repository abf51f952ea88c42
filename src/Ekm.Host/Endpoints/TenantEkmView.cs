using Ekm.Keys;

namespace Ekm.Host.Endpoints;

/// <summary>The gateway's view of a tenant's key management (<c>GET /api/tenants/{tenantId}/ekm</c>).</summary>
public sealed record TenantEkmView(
    string TenantId,
    KeyManagementMode Mode,
    bool EkmAvailable,
    string StatusLine,
    AvailabilityView Availability)
{
    public static TenantEkmView From(TenantKeyStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new(
            status.TenantId,
            status.Mode,
            status.Availability.Activated,
            status.Mode == KeyManagementMode.EnterpriseKeyManagement
                ? "External Cloud Key Management: Enabled"
                : "Cloud Key Management: vendor-managed keys",
            new AvailabilityView(status.Availability.Activated, status.Availability.ChangedBy, status.Availability.ChangedAt));
    }
}

public sealed record AvailabilityView(bool Activated, string? ChangedBy, DateTimeOffset? ChangedAt);

/// <summary>Body of <c>PUT /api/support/tenants/{tenantId}/ekm/availability</c>.</summary>
public sealed record AvailabilityRequest(bool? Activated);
