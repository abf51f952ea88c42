namespace Ekm.Jobs;

/// <summary>A recurring job of a tenant: scheduled backups and discoveries (DESIGN §6).</summary>
[GenerateSerializer, Immutable, Alias("Ekm.Jobs.JobSchedule")]
public sealed record JobSchedule(
    [property: Id(0)] string Name,
    [property: Id(1)] JobSpec Spec,
    [property: Id(2)] TimeSpan Period);

/// <summary>
/// A tenant's schedules, run from Orleans reminders, and bulk backups that fan out into many
/// sessions. Grain key: the tenant id.
/// </summary>
[Alias("Ekm.Jobs.ITenantScheduleGrain")]
public interface ITenantScheduleGrain : IGrainWithStringKey
{
    /// <summary>Adds or replaces a schedule; its first run is one period from now.</summary>
    [Alias("SetSchedule")]
    Task SetScheduleAsync(JobSchedule schedule);

    [Alias("RemoveSchedule")]
    Task RemoveScheduleAsync(string name);

    /// <summary>Job ids the schedules started, oldest first (the most recent 100).</summary>
    [Alias("ScheduledJobs")]
    Task<IReadOnlyList<string>> ScheduledJobsAsync();

    /// <summary>A bulk backup: one backup session per <paramref name="containersPerSession"/> containers; returns the job ids.</summary>
    [Alias("StartBulkBackup")]
    Task<IReadOnlyList<string>> StartBulkBackupAsync(Product product, int containersPerSession, string actor);
}
