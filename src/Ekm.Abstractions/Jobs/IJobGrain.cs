namespace Ekm.Jobs;

/// <summary>
/// One job = one session of operations (one per container). Each operation asks the tenant's
/// KeyGrain for a lease first; none caches a lease across operations. Grain key: the job id.
/// </summary>
[Alias("Ekm.Jobs.IJobGrain")]
public interface IJobGrain : IGrainWithStringKey
{
    /// <summary>Plans the session and starts it in the background; returns at once. Starting twice returns the first start's status.</summary>
    [Alias("Start")]
    Task<JobStatus> StartAsync(string tenantId, JobSpec spec);

    [Alias("GetStatus")]
    Task<JobStatus?> GetStatusAsync();

    /// <summary>Answers when the job has finished (succeeded, failed or cancelled), with its final status.</summary>
    [Alias("WhenFinished")]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<JobStatus?> WhenFinishedAsync();

    /// <summary>Stops before the next operation; the running one finishes.</summary>
    [Alias("Cancel")]
    Task<JobStatus?> CancelAsync();
}
