using System.Text.Json;
using Ekm.Keys;

namespace Ekm.Cli.Api;

// The gateway's own view records live in Ekm.Host, which the CLI does not reference: these
// mirror their JSON (GET /api/tenants/{t}/ekm and friends). Nested records come from Ekm.Abstractions.

/// <summary><c>GET /api/tenants/{t}/ekm</c>.</summary>
internal sealed record TenantView(
    string TenantId,
    KeyManagementMode Mode,
    bool EkmAvailable,
    string StatusLine,
    EkmAvailability Availability,
    string? KeyArn,
    KeyHealth? Health,
    TermsAcceptance? Terms,
    string? PendingKeyArn,
    IReadOnlyList<KeyArnPeriod>? History,
    IReadOnlyList<string>? RetiredKeys,
    KeyRotation? Rotation);

/// <summary><c>GET /api/operator/tenants</c>.</summary>
internal sealed record TenantListView(IReadOnlyList<TenantView> Tenants);

/// <summary><c>GET /api/ekm/terms</c>.</summary>
internal sealed record TermsView(string Id, string Version, string Text);

/// <summary><c>GET /api/tenants/{t}/ekm/key-policy</c>.</summary>
internal sealed record KeyPolicyView(string VendorAccountId, string EncryptionContextKey, string TenantId, JsonElement Statements, string Instructions);
