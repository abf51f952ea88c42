using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ekm.Grains.Jobs.Data;
using Ekm.Grains.Telemetry;
using Ekm.Jobs;
using Ekm.Keys;
using Ekm.Problems;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ekm.Grains.Jobs;

/// <summary>
/// Runs one job as a session of operations, one per container (DESIGN §2). Every operation
/// starts with its own admission by the tenant's KeyGrain and holds that lease only for itself:
/// once the key is revoked, the running operation finishes and the next one fails
/// <c>key-revoked</c> (DESIGN §4 rules 2 and 3). Progress is written after every operation, so a
/// silo crash resumes at the next one: a reminder wakes a running job on a surviving silo even
/// when nobody asks for its status, and reactivation carries on from the first operation not done.
/// </summary>
internal sealed class JobGrain(
    [PersistentState(StorageNames.JobState, StorageNames.GrainStorage)] IPersistentState<JobGrainState> state,
    IOptions<JobStorageOptions> storage,
    TimeProvider time,
    EkmMetrics metrics,
    ILogger<JobGrain> logger) : Grain, IJobGrain, IRemindable
{
    /// <summary>Wakes a running job after a silo failure; the shortest period Orleans reminders allow.</summary>
    public const string ResumeReminder = "job-resume";

    private static readonly TimeSpan ResumePeriod = TimeSpan.FromMinutes(1);

    private Task? _run;

    private JobGrainState S => state.State;

    private string JobId => this.GetPrimaryKeyString();

    private BackupStore Store => new(storage.Value.Backups);

    private BackupStore LegalHoldStore => new(storage.Value.LegalHold);

    /// <summary>The legal hold lease of this run: not gated by the customer key, so it may serve every operation of the session.</summary>
    private KeyLease? _legalHold;

    private LiveStore Live => new(storage.Value.Live);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.State == JobState.Running)
        {
            // The silo that ran this job went away: carry on from the first operation not done.
            JobLog.Resumed(logger, S.TenantId!, JobId, S.Done.Count, S.Plan.Count, GrainContext.Address.SiloAddress?.ToString() ?? "?");
            StartRunning();
        }

        return Task.CompletedTask;
    }

    public async Task<JobStatus> StartAsync(string tenantId, JobSpec spec)
    {
        if (S.TenantId is not null)
        {
            return Status()!;
        }

        JobCatalog.Validate(spec);
        var (plan, bytes) = Plan(tenantId, spec);
        if (plan.Count == 0)
        {
            // Refused before anything is set: this grain stays an unstarted job.
            throw new EkmProblemException(ProblemSlugs.NothingToRestore,
                "There is nothing backed up for this selection yet: run a backup first.");
        }

        S.TenantId = tenantId;
        S.Spec = spec;
        S.CreatedAt = time.GetUtcNow();
        (S.Plan, S.BytesTotal) = (plan, bytes);
        S.State = JobState.Running;
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(ResumeReminder, ResumePeriod, ResumePeriod);
        await ReportAsync();
        JobLog.Started(logger, tenantId, JobId, spec.Kind, spec.Variant, S.Plan.Count);
        StartRunning();
        return Status()!;
    }

    public Task<JobStatus?> GetStatusAsync() => Task.FromResult(Status());

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (S.State == JobState.Running)
        {
            StartRunning();
        }
        else if (await this.GetReminder(reminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public async Task<JobStatus?> WhenFinishedAsync()
    {
        if (_run is { } run)
        {
            await run;
        }

        return Status();
    }

    /// <summary>
    /// Only flags the session: the running session writes the state after every operation, and a
    /// write from here could overlap with one of those and conflict on the state's ETag.
    /// </summary>
    public Task<JobStatus?> CancelAsync()
    {
        if (S.State == JobState.Running)
        {
            S.CancelRequested = true;
        }

        return Task.FromResult(Status());
    }

    private void StartRunning()
    {
        // The session runs on this grain's scheduler between calls; keep the activation while it does.
        DelayDeactivation(TimeSpan.FromHours(1));
        _run ??= RunAsync();
    }

    private async Task RunAsync()
    {
        // Everything logged during the session, here or deeper, carries the tenant and the job.
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["TenantId"] = S.TenantId!, ["JobId"] = JobId });
        foreach (var container in S.Plan.Except(S.Done).ToList())
        {
            if (S.CancelRequested)
            {
                await FinishAsync(JobState.Cancelled, null, null);
                return;
            }

            using var span = EkmMetrics.Traces.StartActivity("job operation");
            span?.SetTag("ekm.job.id", JobId);
            span?.SetTag("ekm.job.kind", S.Spec!.Kind.ToString());
            span?.SetTag("ekm.tenant", S.TenantId);
            span?.SetTag("ekm.container", container);
            try
            {
                S.BytesDone += await RunOperationAsync(container);
                S.Done.Add(container);
                await state.WriteStateAsync();
            }
            catch (EkmProblemException ex)
            {
                await FinishAsync(JobState.Failed, ex.Slug, ex.Message);
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                JobLog.OperationFailed(logger, ex, S.TenantId!, JobId, container);
                await FinishAsync(JobState.Failed, ProblemSlugs.InternalError, "The operation failed unexpectedly; it is logged. Retry the job.");
                return;
            }
        }

        await FinishAsync(JobState.Succeeded, null, null);
    }

    private async Task FinishAsync(JobState outcome, string? slug, string? detail)
    {
        if (_legalHold is { } legalHold)
        {
            CryptographicOperations.ZeroMemory(legalHold.DataKey);
            _legalHold = null;
        }

        S.State = outcome;
        S.FailureSlug = slug;
        S.FailureDetail = detail;
        S.FinishedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        JobLog.Finished(logger, S.TenantId!, JobId, outcome, slug ?? "");
        metrics.JobFinished(S.Spec!.Kind, outcome, slug);
        await ReportAsync();
        if (await this.GetReminder(ResumeReminder) is { } reminder)
        {
            // Best effort: a reminder left behind finds the job finished and removes itself.
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>One operation: admitted by the KeyGrain first, then done with the lease it got.</summary>
    private async Task<long> RunOperationAsync(string container)
    {
        var tenant = S.TenantId!;
        var spec = S.Spec!;
        var keys = GrainFactory.GetGrain<IKeyGrain>(tenant);
        switch (spec.Kind)
        {
            case JobKind.Backup:
            {
                var items = SyntheticSource.Items(tenant, spec.Product, container);
                await Live.MaterializeAsync(tenant, spec.Product, container);
                var lease = await keys.AdmitAsync(new AdmissionRequest(JobId, container));
                var mailbox = SyntheticSource.Containers(tenant, spec.Product).Any(c => c.Id == container && c.Kind == "mailbox");
                try
                {
                    long bytes = 0;
                    foreach (var item in items)
                    {
                        var content = await Live.ReadAsync(tenant, container, item.ItemId) ?? SyntheticSource.Content(tenant, spec.Product, item);
                        await Store.WriteAsync(tenant, item with { Length = content.Length }, content, lease.DataKey, lease.WrappedDataKey);
                        if (mailbox)
                        {
                            _legalHold ??= await keys.LegalHoldLeaseAsync(new AdmissionRequest(JobId, "legal-hold"));
                            await LegalHoldStore.WriteAsync(tenant, item with { Length = content.Length }, content, _legalHold.DataKey, _legalHold.WrappedDataKey);
                        }

                        bytes += content.Length;
                    }

                    return bytes;
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(lease.DataKey);
                }
            }

            case JobKind.Restore:
            case JobKind.Download:
                return await RestoreOrDownloadAsync(Store, r => keys.AdmitAsync(r), tenant, spec, container);

            case JobKind.LegalHoldDownload:
                // The documented exemption: legal hold copies are read with the legal hold key, not admitted by the customer key.
                return await RestoreOrDownloadAsync(LegalHoldStore, r => keys.LegalHoldLeaseAsync(r), tenant, spec, container);

            default:
                return await DiscoverAsync(keys, tenant, spec, container);
        }
    }

    private async Task<long> RestoreOrDownloadAsync(BackupStore store, Func<AdmissionRequest, Task<KeyLease>> admit, string tenant, JobSpec spec, string container)
    {
        var stored = store.List(tenant, container);
        var wrapped = stored.Select(i => i.WrappedDataKey).DistinctBy(Convert.ToBase64String).ToList();
        var lease = await admit(new AdmissionRequest(JobId, container) { StoredDataKeys = wrapped });
        try
        {
            var dataKeys = wrapped.Select((w, i) => (Convert.ToBase64String(w), lease.StoredDataKeys[i])).ToDictionary(p => p.Item1, p => p.Item2);
            var contents = new List<(StoredItem Item, byte[] Content)>();
            foreach (var item in stored)
            {
                contents.Add((item, await store.ReadAsync(tenant, item, dataKeys[Convert.ToBase64String(item.WrappedDataKey)])));
            }

            await DeliverAsync(tenant, spec, container, contents);
            return contents.Sum(c => (long)c.Content.Length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(lease.DataKey);
            foreach (var key in lease.StoredDataKeys)
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }
    }

    /// <summary>Restores write back (in place) or beside (as a copy); downloads write one export file per container.</summary>
    private async Task DeliverAsync(string tenant, JobSpec spec, string container, List<(StoredItem Item, byte[] Content)> contents)
    {
        if (spec.Kind == JobKind.Restore && spec.InPlace)
        {
            foreach (var (item, content) in contents)
            {
                await Live.WriteAsync(tenant, container, item.ItemId, content);
            }

            return;
        }

        var folder = Path.Combine(storage.Value.Exports, tenant, JobId);
        Directory.CreateDirectory(folder);
        if (spec.Kind == JobKind.Restore)
        {
            var copy = Path.Combine(folder, container);
            Directory.CreateDirectory(copy);
            foreach (var (item, content) in contents)
            {
                await File.WriteAllBytesAsync(Path.Combine(copy, item.ItemId), content);
            }

            S.Outputs.Add(Path.GetRelativePath(storage.Value.Root, copy));
            return;
        }

        var (extension, write) = spec.Variant switch
        {
            "mbox" or "webdav" => (".mbox", (Func<Stream, Task>)(s => Exports.WriteMboxAsync(s, contents.Where(c => c.Item.ContentType == "message/rfc822").Select(c => c.Content)))),
            "pst" or "pst-url" => (".eml.zip", s => Exports.WritePstAlternativeAsync(s, contents.Where(c => c.Item.ContentType == "message/rfc822").Select(c => (c.Item.ItemId + ".eml", c.Content)))),
            _ => (".zip", s => Exports.WriteZipAsync(s, contents.Select(c => ($"{container}/{c.Item.Name}", c.Content)))),
        };
        var path = Path.Combine(folder, container + extension);
        await using (var file = File.Create(path))
        {
            await write(file);
        }

        S.Outputs.Add(Path.GetRelativePath(storage.Value.Root, path));
    }

    /// <summary>Discovery and workload configuration: what was found or configured is tenant data too, stored encrypted.</summary>
    private async Task<long> DiscoverAsync(IKeyGrain keys, string tenant, JobSpec spec, string container)
    {
        var found = SyntheticSource.Containers(tenant, spec.Product);
        var record = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { spec.Kind, spec.Variant, At = time.GetUtcNow(), Containers = found }));
        var lease = await keys.AdmitAsync(new AdmissionRequest(JobId, container));
        try
        {
            var item = new SourceItem(container, spec.Variant, (int)(time.GetUtcNow().ToUnixTimeSeconds() % int.MaxValue), $"{spec.Variant}.json", "application/json", record.Length);
            await Store.WriteAsync(tenant, item, record, lease.DataKey, lease.WrappedDataKey);
            return record.Length;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(lease.DataKey);
        }
    }

    /// <summary>The session's operations: one per container (backups: in the source; restores and downloads: in the store).</summary>
    private (List<string> Plan, long Bytes) Plan(string tenant, JobSpec spec)
    {
        bool Wanted(string container) => spec.Containers.Count == 0 || spec.Containers.Contains(container);
        switch (spec.Kind)
        {
            case JobKind.Backup:
            {
                var containers = SyntheticSource.Containers(tenant, spec.Product).Where(c => Wanted(c.Id)).ToList();
                return (containers.Select(c => c.Id).ToList(),
                    containers.Sum(c => SyntheticSource.Items(tenant, spec.Product, c.Id).Sum(i => i.Length)));
            }

            case JobKind.Restore:
            case JobKind.Download:
            case JobKind.LegalHoldDownload:
            {
                var sourceContainers = SyntheticSource.Containers(tenant, spec.Product).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
                var store = spec.Kind == JobKind.LegalHoldDownload ? LegalHoldStore : Store;
                var stored = store.List(tenant).Where(i => sourceContainers.Contains(i.ContainerId) && Wanted(i.ContainerId)).ToList();
                return (stored.Select(i => i.ContainerId).Distinct().Order(StringComparer.Ordinal).ToList(), stored.Sum(i => i.Length));
            }

            default:
                // Discovery and configuration are one operation each, named after what they discover or configure.
                return ([$"{spec.Kind.ToString().ToLowerInvariant()}-{spec.Product.ToString().ToLowerInvariant()}"], 0);
        }
    }

    /// <summary>Tells the tenant's job list; the list is an index, so a failure to tell it never fails the job.</summary>
    private async Task ReportAsync()
    {
        try
        {
            await GrainFactory.GetGrain<ITenantJobsGrain>(S.TenantId!).RecordAsync(new JobSummary(
                JobId, S.Spec!.Kind, S.Spec.Product, S.Spec.Variant, S.State, S.FailureSlug, S.CreatedAt, S.FinishedAt, S.Done.Count, S.Plan.Count));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            JobLog.NotListed(logger, ex, S.TenantId!, JobId);
        }
    }

    private JobStatus? Status() => S.TenantId is null || S.Spec is null
        ? null
        : new JobStatus(JobId, S.TenantId, S.Spec, S.State)
        {
            OperationsDone = S.Done.Count,
            OperationsTotal = S.Plan.Count,
            BytesDone = S.BytesDone,
            BytesTotal = S.BytesTotal,
            FailureSlug = S.FailureSlug,
            FailureDetail = S.FailureDetail,
            CreatedAt = S.CreatedAt,
            FinishedAt = S.FinishedAt,
            Outputs = [.. S.Outputs],
        };
}

internal static partial class JobLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Job {JobId} of tenant {TenantId} started: {Kind}/{Variant}, {Operations} operations")]
    public static partial void Started(ILogger logger, string tenantId, string jobId, JobKind kind, string variant, int operations);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information,
        Message = "Job {JobId} of tenant {TenantId} finished: {Outcome} {FailureSlug}")]
    public static partial void Finished(ILogger logger, string tenantId, string jobId, JobState outcome, string failureSlug);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning,
        Message = "Job {JobId} of tenant {TenantId} could not be entered in the tenant's job list")]
    public static partial void NotListed(ILogger logger, Exception exception, string tenantId, string jobId);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning,
        Message = "Job {JobId} of tenant {TenantId} resumed on silo {Silo} after {Done} of {Total} operations")]
    public static partial void Resumed(ILogger logger, string tenantId, string jobId, int done, int total, string silo);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error,
        Message = "Job {JobId} of tenant {TenantId}: operation {Container} failed unexpectedly")]
    public static partial void OperationFailed(ILogger logger, Exception exception, string tenantId, string jobId, string container);
}
