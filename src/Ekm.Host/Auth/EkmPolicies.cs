using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Ekm.Host.Auth;

/// <summary>Authorization policies of the gateway.</summary>
internal static class EkmPolicies
{
    /// <summary>Read a tenant: its own tenant admin, support, or an operator.</summary>
    public const string TenantRead = "tenant-read";

    /// <summary>Change a tenant's keys: only a tenant admin of that tenant.</summary>
    public const string TenantAdmin = "tenant-admin";

    public const string Support = "support";

    /// <summary>Cross-tenant read-only views: dashboard, metrics. Support may see them too.</summary>
    public const string Operator = "operator";

    public static void Add(AuthorizationOptions options)
    {
        options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
        options.AddPolicy(Support, p => p.RequireRole(EkmRoles.Support));
        options.AddPolicy(Operator, p => p.RequireRole(EkmRoles.Operator, EkmRoles.Support));
        options.AddPolicy(TenantRead, p => p.RequireAssertion(c =>
            c.User.IsInRole(EkmRoles.Support) || c.User.IsInRole(EkmRoles.Operator) || AdministersRouteTenant(c)));
        options.AddPolicy(TenantAdmin, p => p.RequireAssertion(AdministersRouteTenant));
    }

    private static bool AdministersRouteTenant(AuthorizationHandlerContext context)
    {
        if (!context.User.IsInRole(EkmRoles.TenantAdmin) || context.Resource is not HttpContext http
            || http.GetRouteValue("tenantId") is not string tenantId)
        {
            return false;
        }

        return context.User.FindAll(EkmRoles.TenantClaim)
            .Any(c => c.Value == EkmRoles.AllTenants || string.Equals(c.Value, tenantId, StringComparison.Ordinal));
    }

    /// <summary>Who made a change, for state and audit: the key holder's name.</summary>
    public static string Actor(this ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";
}
