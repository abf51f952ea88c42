using Ekm.Keys;

namespace Ekm.Host.Endpoints;

/// <summary>The gateway's view of a tenant's key management (<c>GET /api/tenants/{tenantId}/ekm</c>).</summary>
public sealed record TenantEkmView(
    string TenantId,
    KeyManagementMode Mode,
    bool EkmAvailable,
    string StatusLine,
    AvailabilityView Availability,
    string? KeyArn,
    HealthView? Health,
    TermsAcceptance? Terms,
    string? PendingKeyArn,
    IReadOnlyList<KeyArnPeriod>? History,
    IReadOnlyList<string>? RetiredKeys,
    KeyRotation? Rotation)
{
    public static TenantEkmView From(TenantKeyStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var ekm = status.Mode == KeyManagementMode.EnterpriseKeyManagement;
        return new(
            status.TenantId,
            status.Mode,
            status.Availability.Activated,
            ekm ? "External Cloud Key Management: Enabled" : "Cloud Key Management: vendor-managed keys",
            new AvailabilityView(status.Availability.Activated, status.Availability.ChangedBy, status.Availability.ChangedAt),
            status.KeyArn,
            ekm ? new HealthView(status.Health.Status, status.Health.Reason, status.Health.CheckedAt, status.Health.Since) : null,
            status.Terms,
            status.PendingKeyArn,
            ekm ? status.History : null,
            ekm
                ? status.History.Where(h => h.To is not null && h.KeyArn != status.KeyArn)
                    .Select(h => $"{h.KeyArn} is no longer used (since {h.To:u}) and may be disabled.").Distinct().ToList()
                : null,
            ekm ? status.Rotation : null);
    }
}

public sealed record AvailabilityView(bool Activated, string? ChangedBy, DateTimeOffset? ChangedAt);

public sealed record HealthView(KeyHealthStatus Status, string? Reason, DateTimeOffset? CheckedAt, DateTimeOffset? Since);

/// <summary>Body of <c>PUT /api/support/tenants/{tenantId}/ekm/availability</c>.</summary>
public sealed record AvailabilityRequest(bool? Activated);

/// <summary>Body of <c>POST .../ekm/validate</c> and <c>PUT .../ekm/key</c>.</summary>
public sealed record KeyArnRequest(string? KeyArn);

/// <summary>Body of <c>POST .../ekm/enable</c>.</summary>
public sealed record EnableRequest(string? KeyArn, bool? AcceptTerms, string? TermsVersion);

public sealed record VendorAccountView(string AccountId);

public sealed record TermsView(string Id, string Version, string Text);

/// <summary>The key-policy statements a customer pastes into their key's policy.</summary>
public sealed record KeyPolicyView(string VendorAccountId, string EncryptionContextKey, string TenantId, IReadOnlyList<object> Statements, string Instructions);
