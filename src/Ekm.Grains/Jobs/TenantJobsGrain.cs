using Ekm.Jobs;

namespace Ekm.Grains.Jobs;

/// <summary>See <see cref="ITenantJobsGrain"/>. Keeps the last <see cref="Kept"/> jobs.</summary>
internal sealed class TenantJobsGrain(
    [PersistentState(StorageNames.TenantJobs, StorageNames.GrainStorage)] IPersistentState<TenantJobsState> state)
    : Grain, ITenantJobsGrain
{
    public const int Kept = 100;

    public async Task RecordAsync(JobSummary job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var jobs = state.State.Jobs;
        jobs.RemoveAll(j => j.JobId == job.JobId);
        jobs.Add(job);
        jobs.Sort((a, b) => b.CreatedAt.CompareTo(a.CreatedAt));
        if (jobs.Count > Kept)
        {
            jobs.RemoveRange(Kept, jobs.Count - Kept);
        }

        await state.WriteStateAsync();
    }

    public Task<RecentJobs> GetRecentAsync(int limit)
    {
        var jobs = state.State.Jobs;
        var failures = jobs.Where(j => j is { State: JobState.Failed, FailureSlug: not null })
            .GroupBy(j => j.FailureSlug!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return Task.FromResult(new RecentJobs([.. jobs.Take(Math.Clamp(limit, 1, Kept))], failures));
    }
}

[GenerateSerializer, Alias("Ekm.Grains.Jobs.TenantJobsState")]
public sealed class TenantJobsState
{
    /// <summary>Newest first.</summary>
    [Id(0)]
    public List<JobSummary> Jobs { get; set; } = [];
}
