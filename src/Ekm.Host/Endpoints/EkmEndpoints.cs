using System.Security.Claims;
using Ekm.Host.Auth;
using Ekm.Keys;
using Ekm.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ekm.Host.Endpoints;

/// <summary>Tenant key-management endpoints (DESIGN §10). Refusals from the KeyGrain become problems.</summary>
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
            .WithSummary("The tenant's key management mode, availability, key ARN, status line, health and history.");
        tenants.MapPost("/validate", ValidateAsync)
            .RequireAuthorization(EkmPolicies.TenantAdmin)
            .SpendsVendorKmsQuota()
            .WithName("ValidateKeyArn")
            .WithSummary("Runs every check on a key ARN; saves nothing.");
        tenants.MapPost("/enable", EnableAsync)
            .RequireAuthorization(EkmPolicies.TenantAdmin)
            .SpendsVendorKmsQuota()
            .WithName("EnableEkm")
            .WithSummary("Switches the tenant to Enterprise Key Management with the key, accepting the terms. One way.");
        tenants.MapPut("/key", UpdateKeyAsync)
            .RequireAuthorization(EkmPolicies.TenantAdmin)
            .SpendsVendorKmsQuota()
            .WithName("UpdateKeyArn")
            .WithSummary("Moves the tenant key to a new customer key (the old key must stay enabled until this completes).");
        tenants.MapPost("/health-check", CheckHealthAsync)
            .RequireAuthorization(EkmPolicies.TenantAdmin)
            .SpendsVendorKmsQuota()
            .WithName("CheckKeyHealth")
            .WithSummary("Probes the tenant's key now.");
        tenants.MapGet("/audit", GetAuditAsync)
            .RequireAuthorization(EkmPolicies.TenantRead)
            .WithName("GetKeyAudit")
            .WithSummary("The tenant's key events, newest first, with the hash chain verified.");

        var support = app.MapGroup("/api/support/tenants/{tenantId}/ekm")
            .AddEndpointFilter<TenantIdFilter>()
            .RequireAuthorization(EkmPolicies.Support)
            .WithTags("Support");
        support.MapPut("/availability", SetAvailabilityAsync)
            .WithName("SetEkmAvailability")
            .WithSummary("Activate or deactivate Enterprise Key Management for a tenant (controlled availability).");

        app.MapGet("/api/operator/tenants", ListTenantsAsync)
            .RequireAuthorization(EkmPolicies.Operator)
            .WithTags("Operator")
            .WithName("ListEkmTenants")
            .WithSummary("Every tenant on Enterprise Key Management with its key, health and last check.");
        return app;
    }

    private static async Task<Ok<TenantList>> ListTenantsAsync(IGrainFactory grains)
    {
        var tenants = await grains.GetGrain<ITenantDirectoryGrain>(0).ListAsync();
        var statuses = new List<TenantEkmView>(tenants.Count);
        foreach (var chunk in tenants.Chunk(64))
        {
            statuses.AddRange((await Task.WhenAll(chunk.Select(t => Key(grains, t).GetStatusAsync()))).Select(TenantEkmView.From));
        }

        return TypedResults.Ok(new TenantList(statuses));
    }

    private static async Task<Ok<TenantEkmView>> GetStatusAsync(string tenantId, IGrainFactory grains) =>
        TypedResults.Ok(TenantEkmView.From(await Key(grains, tenantId).GetStatusAsync()));

    private static async Task<Results<Ok<TenantEkmView>, ProblemHttpResult>> SetAvailabilityAsync(
        string tenantId, AvailabilityRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (body?.Activated is not { } activated)
        {
            return MissingBody("a boolean 'activated', e.g. {\"activated\": true}");
        }

        return TypedResults.Ok(TenantEkmView.From(await Key(grains, tenantId).SetAvailabilityAsync(activated, user.Actor())));
    }

    private static async Task<Results<Ok<KeyValidation>, ProblemHttpResult>> ValidateAsync(
        string tenantId, KeyArnRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (body is null)
        {
            return MissingBody("a string 'keyArn'");
        }

        return TypedResults.Ok(await Key(grains, tenantId).ValidateKeyAsync(body.KeyArn ?? "", user.Actor()));
    }

    private static async Task<Results<Ok<TenantEkmView>, ProblemHttpResult>> EnableAsync(
        string tenantId, EnableRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (body is null)
        {
            return MissingBody("'keyArn', 'acceptTerms' and 'termsVersion'");
        }

        var request = new EnableEkm(body.KeyArn ?? "", body.AcceptTerms ?? false, body.TermsVersion, user.Actor());
        return TypedResults.Ok(TenantEkmView.From(await Key(grains, tenantId).EnableAsync(request)));
    }

    private static async Task<Results<Ok<TenantEkmView>, ProblemHttpResult>> UpdateKeyAsync(
        string tenantId, KeyArnRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (body is null)
        {
            return MissingBody("a string 'keyArn'");
        }

        return TypedResults.Ok(TenantEkmView.From(await Key(grains, tenantId).UpdateKeyAsync(body.KeyArn ?? "", user.Actor())));
    }

    private static async Task<Ok<KeyHealth>> CheckHealthAsync(string tenantId, ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(await Key(grains, tenantId).CheckHealthAsync(user.Actor()));

    private static async Task<Ok<AuditLog>> GetAuditAsync(string tenantId, IGrainFactory grains) =>
        TypedResults.Ok(await Key(grains, tenantId).GetAuditAsync());

    private static IKeyGrain Key(IGrainFactory grains, string tenantId) => grains.GetGrain<IKeyGrain>(tenantId);

    private static ProblemHttpResult MissingBody(string what) =>
        ProblemResults.Result(ProblemSlugs.InvalidRequestBody, $"Send a JSON object with {what}.");
}

/// <summary>Answer of <c>GET /api/operator/tenants</c>.</summary>
public sealed record TenantList(IReadOnlyList<TenantEkmView> Tenants);
