using Ekm.Grains.Jobs.Data;
using Ekm.Jobs;
using Ekm.Problems;

namespace Ekm.Grains.Jobs;

/// <summary>See <see cref="ITenantScheduleGrain"/>. Each schedule is one reminder named after it.</summary>
internal sealed class TenantScheduleGrain(
    [PersistentState(StorageNames.ScheduleState, StorageNames.GrainStorage)] IPersistentState<TenantScheduleState> state)
    : Grain, ITenantScheduleGrain, IRemindable
{
    private const string ReminderPrefix = "schedule:";
    private const int KeptJobIds = 100;

    private string TenantId => this.GetPrimaryKeyString();

    public async Task SetScheduleAsync(JobSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        JobCatalog.Validate(schedule.Spec);
        if (schedule.Spec.Kind is not (JobKind.Backup or JobKind.OrgDiscovery or JobKind.UserDiscovery))
        {
            throw new EkmProblemException(ProblemSlugs.InvalidJobSpec, "Only backups and discoveries run on a schedule.");
        }

        state.State.Schedules[schedule.Name] = schedule;
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(ReminderPrefix + schedule.Name, schedule.Period, schedule.Period);
    }

    public async Task RemoveScheduleAsync(string name)
    {
        if (state.State.Schedules.Remove(name))
        {
            await state.WriteStateAsync();
        }

        if (await this.GetReminder(ReminderPrefix + name) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public Task<IReadOnlyList<string>> ScheduledJobsAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.StartedJobs]);

    public async Task<IReadOnlyList<string>> StartBulkBackupAsync(Product product, int containersPerSession, string actor)
    {
        if (containersPerSession < 1)
        {
            throw new EkmProblemException(ProblemSlugs.InvalidJobSpec, "A bulk backup needs at least one container per session.");
        }

        var sessions = SyntheticSource.Containers(TenantId, product).Select(c => c.Id).Chunk(containersPerSession);
        var jobs = new List<string>();
        foreach (var containers in sessions)
        {
            var jobId = Guid.NewGuid().ToString("N");
            await GrainFactory.GetGrain<IJobGrain>(jobId).StartAsync(TenantId,
                new JobSpec(JobKind.Backup, product, "bulk") { Containers = containers, StartedBy = $"bulk:{actor}" });
            jobs.Add(jobId);
        }

        return jobs;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!reminderName.StartsWith(ReminderPrefix, StringComparison.Ordinal)
            || !state.State.Schedules.TryGetValue(reminderName[ReminderPrefix.Length..], out var schedule))
        {
            return;
        }

        var jobId = Guid.NewGuid().ToString("N");
        await GrainFactory.GetGrain<IJobGrain>(jobId).StartAsync(TenantId, schedule.Spec with { StartedBy = "scheduler:" + schedule.Name });
        state.State.StartedJobs.Add(jobId);
        if (state.State.StartedJobs.Count > KeptJobIds)
        {
            state.State.StartedJobs.RemoveAt(0);
        }

        await state.WriteStateAsync();
    }
}

[GenerateSerializer, Alias("Ekm.Grains.Jobs.TenantScheduleState")]
public sealed class TenantScheduleState
{
    [Id(0)]
    public Dictionary<string, JobSchedule> Schedules { get; set; } = new(StringComparer.Ordinal);

    [Id(1)]
    public List<string> StartedJobs { get; set; } = [];
}
