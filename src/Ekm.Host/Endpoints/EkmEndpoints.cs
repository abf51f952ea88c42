using System.Security.Claims;
using Ekm.Host.Auth;
using Ekm.Keys;
using Ekm.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ekm.Host.Endpoints;

/// <summary>Tenant key-management endpoints (DESIGN §10).</summary>
internal static class EkmEndpoints
{
    public static IEndpointRouteBuilder MapEkmEndpoints(this IEndpointRouteBuilder app)
    {
        var tenants = app.MapGroup("/api/tenants/{tenantId}/ekm")
            .AddEndpointFilter<TenantIdFilter>()
            .WithTags("Enterprise Key Management");
        tenants.MapGet("", GetStatusAsync)
            .RequireAuthorization(EkmPolicies.TenantRead)
            .WithName("GetTenantEkm")
            .WithSummary("The tenant's key management mode, Enterprise Key Management availability and status line.");

        var support = app.MapGroup("/api/support/tenants/{tenantId}/ekm")
            .AddEndpointFilter<TenantIdFilter>()
            .RequireAuthorization(EkmPolicies.Support)
            .WithTags("Support");
        support.MapPut("/availability", SetAvailabilityAsync)
            .WithName("SetEkmAvailability")
            .WithSummary("Activate or deactivate Enterprise Key Management for a tenant (controlled availability).");
        return app;
    }

    private static async Task<Ok<TenantEkmView>> GetStatusAsync(string tenantId, IGrainFactory grains) =>
        TypedResults.Ok(TenantEkmView.From(await grains.GetGrain<IKeyGrain>(tenantId).GetStatusAsync()));

    private static async Task<Results<Ok<TenantEkmView>, ProblemHttpResult>> SetAvailabilityAsync(
        string tenantId, AvailabilityRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (body?.Activated is not { } activated)
        {
            return ProblemResults.Result(ProblemSlugs.InvalidRequestBody,
                "Send a JSON object with a boolean 'activated', e.g. {\"activated\": true}.");
        }

        var status = await grains.GetGrain<IKeyGrain>(tenantId).SetAvailabilityAsync(activated, user.Actor());
        return TypedResults.Ok(TenantEkmView.From(status));
    }
}
