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
    private const string JobIdItem = "ekm-job-id";

    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/tenants/{tenantId}/jobs")
            .AddEndpointFilter<TenantIdFilter>()
            .WithTags("Jobs");
        jobs.MapPost("", StartAsync)
            .RequireAuthorization(EkmPolicies.TenantAdmin)
            .WithName("StartJob")
            .WithSummary("Starts a discovery, workload configuration, backup, restore or download job; every operation of it is gated by the tenant's key.");
        jobs.MapGet("", ListAsync)
            .RequireAuthorization(EkmPolicies.TenantRead)
            .WithName("ListJobs")
            .WithSummary("The tenant's recent jobs, newest first (default 20, at most 100), and failures by reason.");
        jobs.MapGet("/{jobId}", GetAsync)
            .RequireAuthorization(EkmPolicies.TenantRead)
            .WithName("GetJob")
            .WithSummary("A job's state, progress (operations and bytes), failure slug and outputs.");
        app.MapGet("/api/downloads/{tenantId}/{jobId}/{file}", Download)
            .AllowAnonymous()
            .WithTags("Jobs")
            .WithName("DownloadByLink")
            .WithSummary("A PST URL download: the expiring, signed link is the authorization.");
        jobs.MapPost("/{jobId}/cancel", CancelAsync)
            .RequireAuthorization(EkmPolicies.TenantAdmin)
            .WithName("CancelJob")
            .WithSummary("Stops a job before its next operation; the running operation finishes.");
        return app;
    }

    private static async Task<Results<Accepted<JobStatus>, ProblemHttpResult>> StartAsync(
        string tenantId, StartJobRequest? body, ClaimsPrincipal user, IGrainFactory grains, HttpContext http)
    {
        // The JSON enum converter also binds numbers and comma-separated names to values no member has.
        if (body?.Kind is not { } kind || body.Product is not { } product || string.IsNullOrWhiteSpace(body.Variant)
            || !Enum.IsDefined(kind) || !Enum.IsDefined(product))
        {
            return ProblemResults.Result(ProblemSlugs.InvalidRequestBody,
                "Send a JSON object with 'kind' (e.g. Backup), 'product' (Microsoft365, GoogleWorkspace or EntraId) and 'variant' (e.g. manual).");
        }

        // A retried request (ClusterRetryFilter) starts the same job, not a second one.
        var jobId = (string)(http.Items[JobIdItem] ??= Guid.NewGuid().ToString("N"));
        var spec = new JobSpec(kind, product, body.Variant)
        {
            Containers = body.Containers ?? [],
            InPlace = body.InPlace ?? false,
            StartedBy = user.Actor(),
        };
        var status = await grains.GetGrain<IJobGrain>(jobId).StartAsync(tenantId, spec);
        return TypedResults.Accepted($"/api/tenants/{tenantId}/jobs/{jobId}", status);
    }

    private static async Task<Ok<RecentJobs>> ListAsync(string tenantId, int? limit, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ITenantJobsGrain>(tenantId).GetRecentAsync(limit ?? 20));

    private static async Task<Results<Ok<JobStatus>, ProblemHttpResult>> GetAsync(string tenantId, string jobId, IGrainFactory grains, DownloadLinks links)
    {
        var found = await FindAsync(tenantId, jobId, grains, g => g.GetStatusAsync());

        // A finished PST URL download offers a fresh expiring link on every look.
        return found.Result is Ok<JobStatus> { Value: { State: JobState.Succeeded, Spec.Variant: "pst-url", Outputs: [var output, ..] } status }
            ? TypedResults.Ok(status with { DownloadUrl = links.Create(tenantId, jobId, Path.GetFileName(output)) })
            : found;
    }

    private static Results<PhysicalFileHttpResult, ProblemHttpResult> Download(
        string tenantId, string jobId, string file, long? expires, string? signature, DownloadLinks links, Hosting.HostPaths paths)
    {
        var problem = expires is { } until ? links.Check(tenantId, jobId, file, until, signature) : "This download link is not valid.";
        if (problem is null && (!Ekm.Tenants.TenantId.TryValidate(tenantId, out _) || !JobIdPattern().IsMatch(jobId) || Path.GetFileName(file) != file || file.StartsWith('.')))
        {
            problem = "This download link is not valid.";
        }

        if (problem is not null)
        {
            return ProblemResults.Result(ProblemSlugs.Forbidden, problem);
        }

        var path = Path.Combine(paths.DataDirectory, "exports", tenantId, jobId, file);
        return File.Exists(path) ? TypedResults.PhysicalFile(path, "application/zip", file) : NotFound(jobId);
    }

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
