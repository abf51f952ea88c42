using System.Security.Claims;
using System.Text.RegularExpressions;
using Ekm.Host.Auth;
using Ekm.Jobs;
using Ekm.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ekm.Host.Endpoints;

/// <summary>Jobs: start, watch, cancel (DESIGN §10).</summary>
internal static partial class JobEndpoints
{
    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/tenants/{tenantId}/jobs")
            .AddEndpointFilter<TenantIdFilter>()
            .WithTags("Jobs");
        jobs.MapPost("", StartAsync)
            .RequireAuthorization(EkmPolicies.TenantAdmin)
            .WithName("StartJob")
            .WithSummary("Starts a discovery, workload configuration, backup, restore or download job; every operation of it is gated by the tenant's key.");
        jobs.MapGet("/{jobId}", GetAsync)
            .RequireAuthorization(EkmPolicies.TenantRead)
            .WithName("GetJob")
            .WithSummary("A job's state, progress (operations and bytes), failure slug and outputs.");
        jobs.MapPost("/{jobId}/cancel", CancelAsync)
            .RequireAuthorization(EkmPolicies.TenantAdmin)
            .WithName("CancelJob")
            .WithSummary("Stops a job before its next operation; the running operation finishes.");
        return app;
    }

    private static async Task<Results<Accepted<JobStatus>, ProblemHttpResult>> StartAsync(
        string tenantId, StartJobRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (body?.Kind is not { } kind || body.Product is not { } product || string.IsNullOrWhiteSpace(body.Variant))
        {
            return ProblemResults.Result(ProblemSlugs.InvalidRequestBody,
                "Send a JSON object with 'kind' (e.g. Backup), 'product' (Microsoft365, GoogleWorkspace or EntraId) and 'variant' (e.g. manual).");
        }

        var jobId = Guid.NewGuid().ToString("N");
        var spec = new JobSpec(kind, product, body.Variant)
        {
            Containers = body.Containers ?? [],
            InPlace = body.InPlace ?? false,
            StartedBy = user.Actor(),
        };
        var status = await grains.GetGrain<IJobGrain>(jobId).StartAsync(tenantId, spec);
        return TypedResults.Accepted($"/api/tenants/{tenantId}/jobs/{jobId}", status);
    }

    private static async Task<Results<Ok<JobStatus>, ProblemHttpResult>> GetAsync(string tenantId, string jobId, IGrainFactory grains) =>
        await FindAsync(tenantId, jobId, grains, g => g.GetStatusAsync());

    private static async Task<Results<Ok<JobStatus>, ProblemHttpResult>> CancelAsync(string tenantId, string jobId, IGrainFactory grains) =>
        await FindAsync(tenantId, jobId, grains, g => g.CancelAsync());

    /// <summary>A job of another tenant is as unknown as a job that does not exist.</summary>
    private static async Task<Results<Ok<JobStatus>, ProblemHttpResult>> FindAsync(
        string tenantId, string jobId, IGrainFactory grains, Func<IJobGrain, Task<JobStatus?>> call)
    {
        if (!JobIdPattern().IsMatch(jobId))
        {
            return NotFound(jobId);
        }

        var status = await call(grains.GetGrain<IJobGrain>(jobId));
        return status is not null && status.TenantId == tenantId ? TypedResults.Ok(status) : NotFound(jobId);
    }

    private static ProblemHttpResult NotFound(string jobId) =>
        ProblemResults.Result(ProblemSlugs.NotFound, $"There is no job '{jobId}' for this tenant.");

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex JobIdPattern();
}

/// <summary>Body of <c>POST /api/tenants/{tenantId}/jobs</c>.</summary>
public sealed record StartJobRequest(JobKind? Kind, Product? Product, string? Variant, IReadOnlyList<string>? Containers, bool? InPlace);
