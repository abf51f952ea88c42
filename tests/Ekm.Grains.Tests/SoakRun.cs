using System.Diagnostics;
using System.Globalization;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Ekm.Grains.Jobs;
using Ekm.Grains.Jobs.Data;
using Ekm.Grains.Keys;
using Ekm.Jobs;
using Ekm.Keys;
using Ekm.LocalKms.Faults;
using Ekm.LocalKms.Hosting;
using Ekm.Problems;

namespace Ekm.Grains.Tests;

/// <summary>How long and how wide a soak runs: <c>EKM_SOAK_SECONDS</c> (load, default 30), <c>EKM_SOAK_SEED</c>, <c>EKM_SOAK_TENANTS</c> (default 12).</summary>
internal sealed record SoakSettings(TimeSpan Duration, int Seed, int Tenants)
{
    public const int DefaultSeed = 20261129;

    public static SoakSettings FromEnvironment() => new(
        TimeSpan.FromSeconds(Read("EKM_SOAK_SECONDS", 30)),
        Read("EKM_SOAK_SEED", DefaultSeed),
        Math.Max(3, Read("EKM_SOAK_TENANTS", 12)));

    private static int Read(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}

/// <summary>
/// The soak itself: sets up the tenants, runs the load (jobs, direct admissions, the customer's
/// revocations and restorations, KMS faults, the silos' clock) until the deadline, settles, and
/// verifies. Every task draws from its own generator seeded from <see cref="SoakSettings.Seed"/>,
/// so a seed repeats the same choices (not the same interleaving).
/// </summary>
internal sealed class SoakRun(SqliteCluster cluster, SoakSettings settings, string root, Action<string> log) : IDisposable
{
    /// <summary>The service's KMS client gives up on an attempt after this; the slow fault holds answers longer.</summary>
    public static readonly TimeSpan KmsTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The silos' clock moves by <see cref="ClockStep"/> every <see cref="ClockPeriod"/> of real time:
    /// at real speed, because it drives Orleans' own response timeouts between grains too (a faster
    /// clock turns their 30 s into a few seconds and fails jobs with <c>internal-error</c>).
    /// </summary>
    public static readonly TimeSpan ClockStep = TimeSpan.FromMilliseconds(200);

    public static readonly TimeSpan ClockPeriod = TimeSpan.FromMilliseconds(200);

    /// <summary>Short intervals, so that rechecks and probes happen many times in a short run (DESIGN §4 rule 4: configurable).</summary>
    public static KeyOptions SoakKeyOptions => new() { RevokedRecheckInterval = TimeSpan.FromSeconds(1), HealthCheckPeriod = TimeSpan.FromSeconds(10) };

    /// <summary>Ticks of the clock between two progress lines (10 s of real time).</summary>
    private const int ProgressEvery = 50;

    /// <summary>
    /// How late on the silos' clock a revoked verdict may be stamped after the restoring call
    /// returned: the event is stamped after the state write queued before it.
    /// </summary>
    private static readonly TimeSpan EventSlack = TimeSpan.FromSeconds(6);

    /// <summary>How long after the deadline the running jobs may take to finish before the soak gives up.</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromMinutes(2);

    private static readonly Product[] Products = [Product.Microsoft365, Product.GoogleWorkspace, Product.EntraId];

    private static readonly JobKind[] DiscoveryKinds = [JobKind.OrgDiscovery, JobKind.UserDiscovery, JobKind.WorkloadConfiguration];

    private readonly KeyOptions _keyOptions = SoakKeyOptions;
    private readonly IAmazonKeyManagementService _customer = cluster.ClientFor(LocalKmsAccounts.CustomerAAccountId);
    private readonly BackupStore _store = new(Path.Combine(root, "backups"));
    private readonly LiveStore _live = new(Path.Combine(root, "live"));
    private readonly List<(long Real, DateTimeOffset Fake)> _ticks = [];
    private long _delayedCalls;
    private long _slowCalls;

    public List<SoakTenant> Tenants { get; } = [];

    public SoakTally Tally { get; } = new();

    public TimeSpan LoadTime { get; private set; }

    public TimeSpan ClockMoved { get; private set; }

    /// <summary>Every tenant on EKM with a key of its own, and a first backup of its mailboxes (so every tenant has something to restore).</summary>
    public async Task SetUpAsync()
    {
        var groups = new[] { SoakGroup.RevokedAndRestored, SoakGroup.TransientOnly, SoakGroup.LeftRevoked };
        var tenants = await Task.WhenAll(Enumerable.Range(0, settings.Tenants).Select(async i =>
        {
            var group = groups[i % groups.Length];
            var id = $"soak-{i:D2}-{group.ToString().ToLowerInvariant()}";
            var key = await CustomerKeys.CreateCustomerKeyAsync(cluster, id);
            var status = await CustomerKeys.EnableEkmAsync(cluster, id, key);
            return new SoakTenant(i, id, group, key, cluster.Grains.GetGrain<IKeyGrain>(id)) { EpochAtStart = status.KeyEpoch };
        }));
        Tenants.AddRange(tenants);

        // The observers count every Decrypt of each key from the KMS's side (rule 4); they stay to the end.
        cluster.Kms.Faults.Clear(settings.Seed);
        ApplyFaults(Tenants.ToDictionary(t => t, _ => SoakFault.Calm));

        await Task.WhenAll(Tenants.Select(async t =>
        {
            var mailboxes = Mailboxes(t.Id, Product.Microsoft365);
            var seed = await JobTests.RunAsync(cluster, t.Id, new JobSpec(JobKind.Backup, Product.Microsoft365, "manual") { Containers = mailboxes, StartedBy = "soak" });
            Assert.Equal(JobState.Succeeded, seed.State);
            t.AddBackedUp(Product.Microsoft365, mailboxes);
        }));
    }

    /// <summary>Runs the load until the deadline, then waits for what is running to finish; stops by itself.</summary>
    public async Task LoadAsync()
    {
        var started = Stopwatch.GetTimestamp();
        var fakeStart = cluster.Time.GetUtcNow();
        using var stop = new CancellationTokenSource(settings.Duration);
        using var clockStop = new CancellationTokenSource();
        _ticks.Add((started, fakeStart));
        var clock = ClockAsync(clockStop.Token);
        var load = new List<Task> { FaultsAsync(stop.Token) };
        foreach (var t in Tenants)
        {
            load.Add(JobWorkerAsync(t, 0, stop.Token));
            load.Add(JobWorkerAsync(t, 1, stop.Token));
            load.Add(AdmissionSessionAsync(t, stop.Token));
            if (t.Group != SoakGroup.TransientOnly)
            {
                load.Add(DriverAsync(t, stop.Token));
            }
        }

        try
        {
            await Task.WhenAll(load).WaitAsync(settings.Duration + DrainLimit);
        }
        finally
        {
            await clockStop.CancelAsync();
            await clock;
            LoadTime = Stopwatch.GetElapsedTime(started);
            ClockMoved = cluster.Time.GetUtcNow() - fakeStart;
        }
    }

    /// <summary>
    /// No more faults; one recheck interval later every tenant's key is probed: usable ones come back
    /// healthy. A probe that meets a passing fault of a loaded machine (a client timeout) is repeated.
    /// </summary>
    public async Task SettleAsync()
    {
        ApplyFaults(Tenants.ToDictionary(t => t, _ => SoakFault.Calm));
        cluster.Time.Advance(_keyOptions.RevokedRecheckInterval + ClockStep);
        _ticks.Add((Stopwatch.GetTimestamp(), cluster.Time.GetUtcNow()));
        foreach (var t in Tenants)
        {
            t.FinalHealth = await RetriedAsync(() => t.Grain.CheckHealthAsync("soak"), h => h.Status == KeyHealthStatus.Unavailable);
        }
    }

    /// <summary>The end state of every tenant, then every check over what was recorded.</summary>
    public async Task VerifyAsync()
    {
        await Task.WhenAll(Tenants.Select(t => t.UsableAtEnd ? VerifyUsableAsync(t) : VerifyLeftRevokedAsync(t))).WaitAsync(DrainLimit);
        var fakeNow = cluster.Time.GetUtcNow();
        foreach (var t in Tenants)
        {
            t.FinalStatus = await t.Grain.GetStatusAsync();
            t.Audit = await t.Grain.GetAuditAsync();
            SoakChecks.Admissions(t, Tally);
            SoakChecks.Jobs(t, Tally);
            SoakChecks.Events(t, Tally, EventSlack, outcome => cluster.Kms.Counters.Count(keyArn: t.KeyArn, outcome: outcome));
            if (t.Group != SoakGroup.TransientOnly)
            {
                SoakChecks.KmsBudget(t, Tally, _ticks, _keyOptions.RevokedRecheckInterval, _keyOptions.HealthCheckPeriod, fakeNow);
            }

            foreach (var p in t.Periods)
            {
                Tally.Add("revocations.performed." + p.How);
            }
        }

        foreach (var call in cluster.Kms.Counters.Snapshot())
        {
            Tally.Add($"kms.{call.Operation}.{call.Outcome}", call.Count);
        }

        Tally.Add("faults.delayed", Interlocked.Read(ref _delayedCalls));
        Tally.Add("faults.slow", Interlocked.Read(ref _slowCalls));
    }

    public void Dispose() => _customer.Dispose();

    /// <summary>Moves the silos' clock; every <see cref="ProgressEvery"/> ticks, says how far the load has got.</summary>
    private async Task ClockAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(ClockPeriod);
        var started = Stopwatch.GetTimestamp();
        try
        {
            for (var tick = 1; await timer.WaitForNextTickAsync(stop); tick++)
            {
                cluster.Time.Advance(ClockStep);
                _ticks.Add((Stopwatch.GetTimestamp(), cluster.Time.GetUtcNow()));
                if (tick % ProgressEvery == 0)
                {
                    log($"  {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s: {Tenants.Sum(t => t.Jobs.Count)} jobs, {Tenants.Sum(t => t.Admissions.Count)} admissions, "
                        + $"{Tenants.Sum(t => t.Periods.Count)} revocations, {cluster.Kms.Counters.Count()} KMS calls");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The load is over.
        }
    }

    /// <summary>The customer: usable for a while, revoked for a while, at random, by a random mechanism.</summary>
    private async Task DriverAsync(SoakTenant t, CancellationToken stop)
    {
        var rng = new Random(settings.Seed * 31 + t.Index * 7 + 1);
        var mechanisms = Enum.GetValues<SoakRevocation>();
        var revoked = false;
        while (!stop.IsCancellationRequested)
        {
            await PauseAsync(rng.Next(300, 2500), stop);
            if (stop.IsCancellationRequested)
            {
                break;
            }

            var period = await RevokeAsync(t, mechanisms[rng.Next(mechanisms.Length)]);
            revoked = true;
            await PauseAsync(rng.Next(500, 3000), stop);
            if (stop.IsCancellationRequested && t.Group == SoakGroup.LeftRevoked)
            {
                break;
            }

            await RestoreAsync(t, period);
            revoked = false;
        }

        if (t.Group == SoakGroup.LeftRevoked && !revoked)
        {
            await RevokeAsync(t, mechanisms[rng.Next(mechanisms.Length)]);
        }
    }

    private async Task<RevocationPeriod> RevokeAsync(SoakTenant t, SoakRevocation how)
    {
        var period = new RevocationPeriod(how) { RevokeStart = Stopwatch.GetTimestamp(), FakeRevokeStart = cluster.Time.GetUtcNow() };
        switch (how)
        {
            case SoakRevocation.DisableKey:
                await _customer.DisableKeyAsync(new DisableKeyRequest { KeyId = t.KeyArn });
                break;
            case SoakRevocation.ScheduleDeletion:
                await _customer.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = t.KeyArn, PendingWindowInDays = 7 });
                break;
            default:
                await CustomerKeys.PutPolicyAsync(cluster, t.KeyArn, CustomerKeys.PolicyWithoutVendor());
                break;
        }

        period.RevokeReturned = Stopwatch.GetTimestamp();
        period.FakeRevokeReturned = cluster.Time.GetUtcNow();
        t.Periods.Add(period);

        // How far each running session had got when the revocation returned (rule 3 is checked against it).
        var running = t.Running.Values.ToList();
        var progress = await Task.WhenAll(running.Select(async j =>
        {
            try
            {
                return (await cluster.Grains.GetGrain<IJobGrain>(j.JobId).GetStatusAsync())?.OperationsDone ?? 0;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return -1;
            }
        }));
        period.RunningAtRevocation.AddRange(running.Zip(progress).Where(p => p.Second >= 0));
        return period;
    }

    private async Task RestoreAsync(SoakTenant t, RevocationPeriod period)
    {
        period.RestoreStart = Stopwatch.GetTimestamp();
        period.FakeRestoreStart = cluster.Time.GetUtcNow();
        switch (period.How)
        {
            case SoakRevocation.DisableKey:
                await _customer.EnableKeyAsync(new EnableKeyRequest { KeyId = t.KeyArn });
                break;
            case SoakRevocation.ScheduleDeletion:
                await _customer.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = t.KeyArn });
                await _customer.EnableKeyAsync(new EnableKeyRequest { KeyId = t.KeyArn });
                break;
            default:
                await CustomerKeys.PutPolicyAsync(cluster, t.KeyArn, CustomerKeys.PolicyWithVendor(t.Id));
                break;
        }

        period.RestoreReturned = Stopwatch.GetTimestamp();
        period.FakeRestoreReturned = cluster.Time.GetUtcNow();
    }

    /// <summary>KMS weather per tenant, changing at random; transient-only tenants get the worst of it.</summary>
    private async Task FaultsAsync(CancellationToken stop)
    {
        var rng = new Random(settings.Seed * 31 + 2);
        var weather = Tenants.ToDictionary(t => t, _ => SoakFault.Calm);
        while (!stop.IsCancellationRequested)
        {
            await PauseAsync(rng.Next(400, 1200), stop);
            foreach (var t in Tenants.Where(_ => rng.NextDouble() < 0.35))
            {
                var roll = rng.NextDouble();
                weather[t] = t.Group == SoakGroup.TransientOnly
                    ? roll switch { < 0.25 => SoakFault.Calm, < 0.6 => SoakFault.Flaky, < 0.85 => SoakFault.Storm, _ => SoakFault.Slow }
                    : roll switch { < 0.5 => SoakFault.Calm, < 0.75 => SoakFault.Flaky, < 0.9 => SoakFault.Storm, _ => SoakFault.Slow };
                Tally.Add("faults.weather." + weather[t]);
            }

            ApplyFaults(stop.IsCancellationRequested ? Tenants.ToDictionary(t => t, _ => SoakFault.Calm) : weather);
        }
    }

    /// <summary>Replaces every rule: each key's observer, and its weather (on Decrypt, the admission and probe call).</summary>
    private void ApplyFaults(Dictionary<SoakTenant, SoakFault> weather)
    {
        var faults = cluster.Kms.Faults;
        faults.Clear();
        foreach (var (t, fault) in weather)
        {
            faults.Add(new FaultRule { Operation = "Decrypt", KeyId = t.KeyArn, OnMatch = t.RecordDecrypt });
            var rule = fault switch
            {
                SoakFault.Flaky => new FaultRule { ThrottleRate = 0.25, InternalErrorRate = 0.1, Latency = TimeSpan.FromMilliseconds(15), OnMatch = () => Interlocked.Increment(ref _delayedCalls) },
                SoakFault.Storm => new FaultRule { ThrottleRate = 0.8, InternalErrorRate = 0.5 },
                SoakFault.Slow => new FaultRule { Latency = KmsTimeout + TimeSpan.FromMilliseconds(500), OnMatch = () => Interlocked.Increment(ref _slowCalls) },
                _ => null,
            };
            if (rule is not null)
            {
                faults.Add(rule with { Operation = "Decrypt", KeyId = t.KeyArn });
            }
        }
    }

    /// <summary>Bursts of concurrent admissions, each timestamped (like <see cref="RandomRevocationTrials"/>).</summary>
    private async Task AdmissionSessionAsync(SoakTenant t, CancellationToken stop)
    {
        var rng = new Random(settings.Seed * 31 + t.Index * 7 + 3);
        var operation = 0;
        while (!stop.IsCancellationRequested)
        {
            var burst = Enumerable.Range(0, rng.Next(1, 7)).Select(_ => AdmitOnceAsync(t, "soak-session", $"op-{operation++}")).ToList();
            foreach (var record in await Task.WhenAll(burst))
            {
                t.Admissions.Enqueue(record);
            }

            await PauseAsync(rng.Next(5, 40), stop);
        }
    }

    private static async Task<AdmissionRecord> AdmitOnceAsync(SoakTenant t, string session, string operation)
    {
        var requested = Stopwatch.GetTimestamp();
        string outcome;
        try
        {
            var lease = await t.Grain.AdmitAsync(new AdmissionRequest(session, operation));
            Array.Clear(lease.DataKey);
            outcome = AdmissionRecord.Admitted;
        }
        catch (EkmProblemException ex)
        {
            outcome = ex.Slug;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            outcome = ex.GetType().Name;
        }

        return new AdmissionRecord(requested, Stopwatch.GetTimestamp(), outcome);
    }

    /// <summary>One job after another, of every gated kind and the legal hold exemption, until the deadline.</summary>
    private async Task JobWorkerAsync(SoakTenant t, int worker, CancellationToken stop)
    {
        var rng = new Random(settings.Seed * 31 + t.Index * 7 + 4 + worker);
        while (!stop.IsCancellationRequested)
        {
            var record = await RunJobAsync(t, NextJob(t, rng));
            await AfterJobAsync(t, record);
        }
    }

    private async Task<JobRecord> RunJobAsync(SoakTenant t, JobSpec spec)
    {
        var record = new JobRecord(Guid.NewGuid().ToString("N"), spec);
        var job = cluster.Grains.GetGrain<IJobGrain>(record.JobId);
        t.Running[record.JobId] = record;
        record.StartedAt = Stopwatch.GetTimestamp();
        try
        {
            await job.StartAsync(t.Id, spec);
            record.Final = await WhenFinishedAsync(job);
        }
        catch (EkmProblemException ex)
        {
            record.RefusedAtStart = ex.Slug;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            record.Error = ex.GetType().Name + ": " + ex.Message;
        }

        record.FinishedAt = Stopwatch.GetTimestamp();
        t.Running.TryRemove(record.JobId, out _);
        t.Jobs.Enqueue(record);
        return record;
    }

    /// <summary>A long job can outlast Orleans' response timeout: that call gave up, not the job, so wait again.</summary>
    private async Task<JobStatus?> WhenFinishedAsync(IJobGrain job)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await job.WhenFinishedAsync();
            }
            catch (TimeoutException) when (attempt < 5)
            {
                Tally.Add("jobs.waits-timed-out");
            }
        }
    }

    private static JobSpec NextJob(SoakTenant t, Random rng)
    {
        var roll = rng.NextDouble();
        var spec = roll switch
        {
            < 0.35 => null,
            < 0.55 => Restore(),
            < 0.70 => Download(),
            < 0.90 => Discovery(),
            _ => LegalHold(),
        };
        return spec ?? Backup();

        JobSpec Backup()
        {
            var product = PickProduct(rng);
            var all = SyntheticSource.Containers(t.Id, product).Select(c => c.Id).ToList();
            var containers = rng.NextDouble() < 0.15 ? [] : Pick(rng, all, rng.Next(1, 4));
            return new JobSpec(JobKind.Backup, product, Pick(rng, JobCatalog.Variants[JobKind.Backup])) { Containers = containers, StartedBy = "soak" };
        }

        JobSpec? Restore()
        {
            var product = PickProduct(rng);
            var stored = t.BackedUp(product);
            return stored.Count == 0 ? null : new JobSpec(JobKind.Restore, product, Pick(rng, JobCatalog.Variants[JobKind.Restore]))
            {
                Containers = Pick(rng, stored, rng.Next(1, 3)),
                InPlace = rng.NextDouble() < 0.3,
                StartedBy = "soak",
            };
        }

        JobSpec? Download()
        {
            var product = PickProduct(rng);
            var stored = t.BackedUp(product);
            return stored.Count == 0 ? null : new JobSpec(JobKind.Download, product, Pick(rng, JobCatalog.Variants[JobKind.Download]))
            {
                Containers = [Pick(rng, stored)],
                StartedBy = "soak",
            };
        }

        JobSpec Discovery()
        {
            var kind = Pick(rng, DiscoveryKinds);
            return new JobSpec(kind, PickProduct(rng), Pick(rng, JobCatalog.Variants[kind])) { StartedBy = "soak" };
        }

        JobSpec? LegalHold()
        {
            var product = rng.NextDouble() < 0.6 ? Product.Microsoft365 : Product.GoogleWorkspace;
            var mailboxes = Mailboxes(t.Id, product).Intersect(t.BackedUp(product)).ToList();
            return mailboxes.Count == 0 ? null : new JobSpec(JobKind.LegalHoldDownload, product, "webdav") { Containers = [Pick(rng, mailboxes)], StartedBy = "soak" };
        }
    }

    /// <summary>Notes what a backup stored; checks what a restore delivered against the source; removes exports (disk stays bounded).</summary>
    private async Task AfterJobAsync(SoakTenant t, JobRecord record)
    {
        if (record.Final is not { } final)
        {
            return;
        }

        var spec = record.Spec;
        if (spec.Kind == JobKind.Backup)
        {
            // Operations run in source order, one per container: the first OperationsDone are stored.
            var planned = SyntheticSource.Containers(t.Id, spec.Product).Select(c => c.Id)
                .Where(id => spec.Containers.Count == 0 || spec.Containers.Contains(id));
            t.AddBackedUp(spec.Product, planned.Take(final.OperationsDone));
            return;
        }

        if (spec.Kind == JobKind.Restore && final.State == JobState.Succeeded)
        {
            if (spec.InPlace)
            {
                foreach (var container in spec.Containers)
                {
                    foreach (var item in SyntheticSource.Items(t.Id, spec.Product, container))
                    {
                        Compare(t, "load", $"live {container}/{item.ItemId}", SyntheticSource.Content(t.Id, spec.Product, item), await _live.ReadAsync(t.Id, container, item.ItemId));
                    }
                }
            }
            else
            {
                foreach (var output in final.Outputs)
                {
                    await CompareFolderAsync(t, spec.Product, Path.Combine(root, output), "load");
                }
            }
        }

        var exports = Path.Combine(root, "exports", t.Id, record.JobId);
        if (Directory.Exists(exports))
        {
            Directory.Delete(exports, recursive: true);
        }
    }

    /// <summary>Every file of a restored copy of one container, against the source item it came from.</summary>
    private async Task CompareFolderAsync(SoakTenant t, Product product, string folder, string phase)
    {
        var container = Path.GetFileName(folder);
        var items = SyntheticSource.Items(t.Id, product, container).ToDictionary(i => i.ItemId, StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            if (!items.TryGetValue(Path.GetFileName(file), out var item))
            {
                Tally.Violation("restored-unknown-item", $"{t.Id}: {file}");
                continue;
            }

            Compare(t, phase, $"{container}/{item.ItemId}", SyntheticSource.Content(t.Id, product, item), await File.ReadAllBytesAsync(file));
        }
    }

    private void Compare(SoakTenant t, string phase, string what, byte[] expected, byte[]? actual)
    {
        if (actual is not null && expected.AsSpan().SequenceEqual(actual))
        {
            Tally.Add($"restore.{phase}.items");
            Tally.Add($"restore.{phase}.bytes", actual.Length);
        }
        else
        {
            Tally.Violation("restore-not-byte-identical", $"{t.Id} ({phase}): {what}: {actual?.Length.ToString(CultureInfo.InvariantCulture) ?? "missing"} bytes, {expected.Length} expected");
        }
    }

    /// <summary>
    /// A usable tenant: healthy after the settle, admits, and every item in its backup store (which
    /// holds at least every container a backup reported done) restores byte for byte.
    /// </summary>
    private async Task VerifyUsableAsync(SoakTenant t)
    {
        if (t.FinalHealth?.Status != KeyHealthStatus.Healthy)
        {
            Tally.Violation("usable-tenant-not-healthy", $"{t.Id}: {t.FinalHealth}");
        }

        var admission = await RetriedAsync(() => AdmitOnceAsync(t, "soak-final", "op"), a => a.Outcome == ProblemSlugs.KmsUnavailable);
        if (admission.Outcome != AdmissionRecord.Admitted)
        {
            Tally.Violation("usable-tenant-not-admitted", $"{t.Id}: {admission.Outcome}");
        }

        var stored = _store.List(t.Id);
        foreach (var product in Products)
        {
            var source = SyntheticSource.Containers(t.Id, product).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            var items = stored.Where(i => source.Contains(i.ContainerId)).ToList();
            var containers = items.Select(i => i.ContainerId).Distinct().Order(StringComparer.Ordinal).ToList();
            foreach (var missing in t.BackedUp(product).Except(containers))
            {
                Tally.Violation("backed-up-container-missing", $"{t.Id}: {product} {missing}");
            }

            if (containers.Count == 0)
            {
                continue;
            }

            var restore = await RetriedAsync(
                () => JobTests.RunAsync(cluster, t.Id, new JobSpec(JobKind.Restore, product, "restore") { Containers = containers, StartedBy = "soak" }),
                j => j.FailureSlug == ProblemSlugs.KmsUnavailable);
            Tally.Add("restore.final.jobs");
            if (restore.State != JobState.Succeeded || restore.OperationsDone != containers.Count)
            {
                Tally.Violation("final-restore-failed", $"{t.Id}: {product} {restore.State} {restore.FailureSlug} {restore.OperationsDone}/{containers.Count}");
                continue;
            }

            foreach (var item in items)
            {
                var origin = SyntheticSource.Items(t.Id, product, item.ContainerId).Single(i => i.ItemId == item.ItemId);
                var copy = Path.Combine(root, "exports", t.Id, restore.JobId, item.ContainerId, item.ItemId);
                var bytes = File.Exists(copy) ? await File.ReadAllBytesAsync(copy) : null;
                Compare(t, "final", $"{item.ContainerId}/{item.ItemId} v{item.Version} (source v{origin.Version})",
                    origin.Version == item.Version ? SyntheticSource.Content(t.Id, product, origin) : [], bytes);
            }

            Directory.Delete(Path.Combine(root, "exports", t.Id, restore.JobId), recursive: true);
        }
    }

    /// <summary>A tenant left revoked: revoked after the settle, refused <c>key-revoked</c> for admissions and restores; legal hold still served.</summary>
    private async Task VerifyLeftRevokedAsync(SoakTenant t)
    {
        var last = t.Periods[^1];
        if (t.FinalHealth?.Status != KeyHealthStatus.Revoked || !last.Reasons.Contains(t.FinalHealth.Reason))
        {
            Tally.Violation("left-revoked-tenant-not-revoked", $"{t.Id}: {t.FinalHealth} after {last.How}");
        }

        var admission = await RetriedAsync(() => AdmitOnceAsync(t, "soak-final", "op"), a => a.Outcome == ProblemSlugs.KmsUnavailable);
        if (admission.Outcome != ProblemSlugs.KeyRevoked)
        {
            Tally.Violation("left-revoked-tenant-admitted", $"{t.Id}: {admission.Outcome}");
        }

        var restore = await RetriedAsync(
            () => JobTests.RunAsync(cluster, t.Id, new JobSpec(JobKind.Restore, Product.Microsoft365, "restore") { StartedBy = "soak" }),
            j => j.FailureSlug == ProblemSlugs.KmsUnavailable);
        Tally.Add("restore.final.refused-" + restore.FailureSlug);
        if (restore.State != JobState.Failed || restore.FailureSlug != ProblemSlugs.KeyRevoked || restore.OperationsDone != 0)
        {
            Tally.Violation("left-revoked-tenant-restored", $"{t.Id}: {restore.State} {restore.FailureSlug} {restore.OperationsDone} operations");
        }

        var legalHold = await RetriedAsync(
            () => JobTests.RunAsync(cluster, t.Id, new JobSpec(JobKind.LegalHoldDownload, Product.Microsoft365, "webdav") { StartedBy = "soak" }),
            j => j.FailureSlug == ProblemSlugs.KmsUnavailable);
        Tally.Add("restore.final.legal-hold-" + legalHold.State.ToString().ToLowerInvariant());
        if (legalHold.State != JobState.Succeeded)
        {
            Tally.Violation("left-revoked-tenant-legal-hold", $"{t.Id}: {legalHold.State} {legalHold.FailureSlug}");
        }
    }

    /// <summary>Once more, up to three times in all, while the answer is a passing fault (rule 6: retriable).</summary>
    private async Task<T> RetriedAsync<T>(Func<Task<T>> attempt, Func<T, bool> transient)
    {
        var result = await attempt();
        for (var retry = 1; retry < 3 && transient(result); retry++)
        {
            Tally.Add("final.retried-after-kms-unavailable");
            result = await attempt();
        }

        return result;
    }

    private static IReadOnlyList<string> Mailboxes(string tenantId, Product product) =>
        [.. SyntheticSource.Containers(tenantId, product).Where(c => c.Kind == "mailbox").Select(c => c.Id)];

    private static Product PickProduct(Random rng) => rng.NextDouble() switch
    {
        < 0.5 => Product.Microsoft365,
        < 0.8 => Product.GoogleWorkspace,
        _ => Product.EntraId,
    };

    private static T Pick<T>(Random rng, IReadOnlyList<T> from) => from[rng.Next(from.Count)];

    private static List<string> Pick(Random rng, IReadOnlyList<string> from, int count) =>
        [.. from.OrderBy(_ => rng.Next()).Take(count)];

    /// <summary>Paces the load (not a synchronisation): returns early when the load stops.</summary>
    private static Task PauseAsync(int milliseconds, CancellationToken stop) =>
        Task.Delay(milliseconds, stop).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}

/// <summary>A tenant's KMS weather: on its key's Decrypt calls.</summary>
internal enum SoakFault
{
    Calm,

    /// <summary>Some throttling and 5xx, a little latency: the SDK's retry mostly hides them.</summary>
    Flaky,

    /// <summary>Mostly throttling and 5xx: most calls fail even after the retry (<c>kms-unavailable</c>).</summary>
    Storm,

    /// <summary>Every answer later than the client waits: timeouts.</summary>
    Slow,
}
