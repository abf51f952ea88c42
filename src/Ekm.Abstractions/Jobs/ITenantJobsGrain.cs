namespace Ekm.Jobs;

/// <summary>
/// A tenant's recent jobs, newest first, for the console and operators (grain key: the tenant id).
/// Job grains report here when they start and when they finish; it is an index, not the truth:
/// a job's own status is <see cref="IJobGrain.GetStatusAsync"/>.
/// </summary>
[Alias("Ekm.Jobs.ITenantJobsGrain")]
public interface ITenantJobsGrain : IGrainWithStringKey
{
    [Alias("Record")]
    Task RecordAsync(JobSummary job);

    [Alias("Recent")]
    Task<RecentJobs> GetRecentAsync(int limit);
}

/// <summary>One job in a tenant's list.</summary>
[GenerateSerializer, Immutable, Alias("Ekm.Jobs.JobSummary")]
public sealed record JobSummary(
    [property: Id(0)] string JobId,
    [property: Id(1)] JobKind Kind,
    [property: Id(2)] Product Product,
    [property: Id(3)] string Variant,
    [property: Id(4)] JobState State,
    [property: Id(5)] string? FailureSlug,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] DateTimeOffset? FinishedAt,
    [property: Id(8)] int OperationsDone,
    [property: Id(9)] int OperationsTotal);

/// <summary>The newest jobs, and how many of the kept ones failed, by problem slug.</summary>
[GenerateSerializer, Immutable, Alias("Ekm.Jobs.RecentJobs")]
public sealed record RecentJobs(
    [property: Id(0)] IReadOnlyList<JobSummary> Jobs,
    [property: Id(1)] IReadOnlyDictionary<string, int> FailuresByReason);
