using System.Diagnostics;
using Ekm.Grains.Jobs.Data;
using Ekm.Jobs;

namespace Ekm.Grains.Tests;

public sealed class ScheduleTests : IDisposable
{
    private readonly TestDatabase _database = new();

    [Fact]
    public async Task Schedule_PeriodElapses_ReminderStartsAGatedBackupThatSucceeds()
    {
        await using var c = await SqliteCluster.StartAsync(_database.Path);
        const string Tenant = "scheduled";
        await CustomerKeys.EnableEkmAsync(c, Tenant, await CustomerKeys.CreateCustomerKeyAsync(c, Tenant));
        var schedules = c.Grains.GetGrain<ITenantScheduleGrain>(Tenant);
        await schedules.SetScheduleAsync(new JobSchedule("nightly", new JobSpec(JobKind.Backup, Product.EntraId, "scheduled"), TimeSpan.FromHours(24)));
        Assert.Empty(await schedules.ScheduledJobsAsync());

        c.Time.Advance(TimeSpan.FromHours(24));
        var jobId = await FirstScheduledJobAsync(c, schedules);

        var outcome = (await c.Grains.GetGrain<IJobGrain>(jobId).WhenFinishedAsync())!;
        Assert.Equal(JobState.Succeeded, outcome.State);
        Assert.Equal("scheduler:nightly", outcome.Spec.StartedBy);
        Assert.Equal(Tenant, outcome.TenantId);
    }

    [Fact]
    public async Task BulkBackup_FansOutIntoSessionsThatEachBackUpTheirContainers()
    {
        await using var c = await SqliteCluster.StartAsync(_database.Path);
        const string Tenant = "bulk";
        await CustomerKeys.EnableEkmAsync(c, Tenant, await CustomerKeys.CreateCustomerKeyAsync(c, Tenant));
        var containers = SyntheticSource.Containers(Tenant, Product.Microsoft365);

        var jobs = await c.Grains.GetGrain<ITenantScheduleGrain>(Tenant).StartBulkBackupAsync(Product.Microsoft365, 3, "admin");

        Assert.Equal((containers.Count + 2) / 3, jobs.Count);
        var outcomes = await Task.WhenAll(jobs.Select(j => c.Grains.GetGrain<IJobGrain>(j).WhenFinishedAsync()));
        Assert.All(outcomes, o => Assert.Equal(JobState.Succeeded, o!.State));
        Assert.Equal(containers.Select(x => x.Id).Order(), outcomes.SelectMany(o => o!.Spec.Containers).Order());
        var stored = new BackupStore(Path.Combine(Path.GetDirectoryName(_database.Path)!, "backups")).List(Tenant);
        Assert.Equal(containers.Count, stored.Select(i => i.ContainerId).Distinct().Count());
    }

    public void Dispose() => _database.Dispose();

    /// <summary>
    /// Reminders run on the silos' (fake) clock: nudges it forward a little at a time until the
    /// reminder has started its job, within a bounded real time.
    /// </summary>
    private static async Task<string> FirstScheduledJobAsync(SqliteCluster c, ITenantScheduleGrain schedules)
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30))
        {
            if (await schedules.ScheduledJobsAsync() is [var jobId, ..])
            {
                return jobId;
            }

            c.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
        }

        throw new TimeoutException("the schedule's reminder did not start a job");
    }
}
