using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using Ekm.Cli.Api;
using Ekm.Cli.Aws;
using Ekm.Cli.Text;
using Ekm.Jobs;
using Ekm.Keys;
using Ekm.Problems;

namespace Ekm.Cli.Demo;

/// <summary>
/// The whole story on one tenant, each step checked: support activates, the customer makes a key and
/// admits the vendor, the admin validates and enables, a backup and a restore run; then, with the
/// local KMS slowed down, the customer disables the key in the middle of a backup — the operation
/// already admitted finishes, the next is refused <c>key-revoked</c> and the job fails there; a new
/// job fails at once; the customer enables the key again, a health check shows the recovery, and a
/// new backup succeeds.
/// </summary>
internal sealed class DemoStory(EkmApi api, CustomerKms kms, LocalKmsControls controls, string tenant, Timeline timeline, int latencyMs)
{
    private const string UnexpectedOutcome = "unexpected-outcome";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan JobLimit = TimeSpan.FromMinutes(2);

    private string _keyArn = "";
    private bool _slowed;

    public string KeyArn => _keyArn;

    public string? FailedStep { get; private set; }

    private string Ekm => EkmApi.Tenant(tenant) + "/ekm";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await StepAsync("activate", () => ActivateAsync(cancellationToken));
            await StepAsync("create key", () => CreateKeyAsync(cancellationToken));
            await StepAsync("validate", () => ValidateAsync(cancellationToken));
            await StepAsync("enable", () => EnableAsync(cancellationToken));
            long backedUp = 0;
            await StepAsync("back up", async () => backedUp = (await RunJobAsync(JobKind.Backup, "manual", "backup", cancellationToken)).BytesDone);
            await StepAsync("restore", () => RestoreAsync(backedUp, cancellationToken));
            await StepAsync("slow the local KMS", () => SlowDownAsync(cancellationToken));
            await StepAsync("revoke during a backup", () => RevokeDuringBackupAsync(cancellationToken));
            await StepAsync("new job while revoked", () => NewJobWhileRevokedAsync(cancellationToken));
            await StepAsync("restore the local KMS's speed", () => SpeedUpAsync(cancellationToken));
            await StepAsync("re-enable the key", () => ReEnableAsync(cancellationToken));
            await StepAsync("health check", () => HealthCheckAsync(cancellationToken));
            await StepAsync("back up after recovery", () => RunJobAsync(JobKind.Backup, "manual", "backup after recovery", cancellationToken));
            await StepAsync("audit", () => AuditAsync(cancellationToken));
        }
        finally
        {
            if (_slowed)
            {
                // Never leave a running host's local KMS slow after an interrupted or failed demo.
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await controls.ClearFaultsAsync(timeout.Token);
                }
                catch (Exception ex) when (ex is CliException or OperationCanceledException)
                {
                    timeline.Add("ekm", "could not clear the local KMS's faults: " + ex.Message);
                }
            }
        }
    }

    private async Task ActivateAsync(CancellationToken cancellationToken)
    {
        var view = ApiJson.Read<TenantView>(await api.PutAsync($"api/support/tenants/{Uri.EscapeDataString(tenant)}/ekm/availability", new { activated = true }, cancellationToken));
        Expect(view.Availability.Activated, "support's activation did not make Enterprise Key Management available");
        timeline.Add("support", $"activated Enterprise Key Management for tenant {tenant} (\"{view.StatusLine}\")");
    }

    private async Task CreateKeyAsync(CancellationToken cancellationToken)
    {
        var policy = ApiJson.Read<KeyPolicyView>(await api.GetAsync(Ekm + "/key-policy", cancellationToken));
        var key = await kms.CreateKeyAsync($"ekm demo key for {tenant}", cancellationToken);
        _keyArn = key.Arn;
        await kms.PutPolicyAsync(key.Arn, policy.Statements, cancellationToken);
        timeline.Add("customer", $"created symmetric key {key.Arn} in account {key.AWSAccountId}");
        timeline.Add("customer", $"put a key policy: own root statement + {policy.Statements.GetArrayLength()} statements admitting vendor account {policy.VendorAccountId}, crypto only with ekm-tenant={tenant}");
    }

    private async Task ValidateAsync(CancellationToken cancellationToken)
    {
        var validation = ApiJson.Read<KeyValidation>(await api.PostAsync(Ekm + "/validate", new { keyArn = _keyArn }, cancellationToken));
        timeline.Add("admin", $"validated the key: {validation.KeySpec}, {validation.KeyUsage}, {validation.KeyState}, GenerateDataKey + Decrypt round trip passed (nothing saved)");
    }

    private async Task EnableAsync(CancellationToken cancellationToken)
    {
        var terms = ApiJson.Read<TermsView>(await api.GetAsync("api/ekm/terms", cancellationToken));
        var view = ApiJson.Read<TenantView>(await api.PostAsync(Ekm + "/enable", new { keyArn = _keyArn, acceptTerms = true, termsVersion = terms.Version }, cancellationToken));
        Expect(view.Mode == KeyManagementMode.EnterpriseKeyManagement, $"after enabling, the tenant is on {view.Mode}");
        timeline.Add("admin", $"accepted terms {terms.Id} version {terms.Version} and enabled: \"{view.StatusLine}\"");
    }

    private async Task RestoreAsync(long backedUp, CancellationToken cancellationToken)
    {
        var restore = await RunJobAsync(JobKind.Restore, "restore", "restore", cancellationToken,
            r => (r.BytesDone == backedUp ? ": a copy, as many bytes as the backup stored" : $": a copy (the backup stored {Format.Count(backedUp)} bytes)")
                + ", decrypted with data keys the customer key unlocked");
        Expect(restore.BytesDone > 0, "the restore read no bytes");
    }

    private async Task SlowDownAsync(CancellationToken cancellationToken)
    {
        // Only the customer key: each operation's admission (a Decrypt with it) takes that long,
        // while the vendor key's calls (the legal hold copy) stay fast.
        await controls.SlowDownAsync("Decrypt", _keyArn, latencyMs, cancellationToken);
        _slowed = true;
        timeline.Add("kms", $"local KMS test control: every Decrypt with the customer key now takes {latencyMs} ms, so each operation's admission takes that long");
    }

    private async Task RevokeDuringBackupAsync(CancellationToken cancellationToken)
    {
        var job = await StartJobAsync(JobKind.Backup, "manual", cancellationToken);
        var id = Format.ShortId(job.JobId);
        timeline.Add("admin", $"started backup {id}: {job.OperationsTotal} operations, each admitted by its own KMS Decrypt");

        var before = await WaitAsync(job.JobId, s => s.OperationsDone >= 2 || Finished(s), null, cancellationToken);
        Expect(before.State == JobState.Running, $"the backup ended ({before.State}) before the key could be disabled during it");
        timeline.Add("job", $"backup {id}: {before.OperationsDone}/{before.OperationsTotal} operations done, operation {before.OperationsDone + 1} being admitted");

        // Its admission's Decrypt started just after the previous operation was written and waits
        // out the injected latency: disabling now, part-way through that wait, lands while it is in
        // flight (the local KMS judges a call when it arrives), so that operation is admitted and finishes.
        await Task.Delay(TimeSpan.FromMilliseconds(latencyMs * 0.4), cancellationToken);
        await kms.DisableAsync(_keyArn, cancellationToken);
        var atDisable = await GetJobAsync(job.JobId, cancellationToken);
        timeline.Add("customer", $"DISABLED the key in AWS KMS (backup {id} at {atDisable.OperationsDone}/{atDisable.OperationsTotal} operations, operation {atDisable.OperationsDone + 1} being admitted)");

        var seen = atDisable.OperationsDone;
        var final = await WaitAsync(job.JobId, Finished, status =>
        {
            for (; seen < status.OperationsDone; seen++)
            {
                timeline.Add("job", $"backup {id}: operation {seen + 1} FINISHED after the key was disabled: its admission's KMS call came first, and admitted work completes");
            }
        }, cancellationToken);
        Expect(final is { State: JobState.Failed, FailureSlug: ProblemSlugs.KeyRevoked },
            $"backup {id} should have failed key-revoked; it ended {final.State} {final.FailureSlug}");
        Expect(final.OperationsDone >= atDisable.OperationsDone && final.OperationsDone < final.OperationsTotal,
            $"backup {id} ended with {final.OperationsDone}/{final.OperationsTotal} operations done");
        if (final.OperationsDone == atDisable.OperationsDone)
        {
            timeline.Add("job", $"backup {id}: (no operation was in flight at the disable: operation {final.OperationsDone + 1}'s KMS call came after it)");
        }

        timeline.Add("job", $"backup {id}: operation {final.OperationsDone + 1} refused with key-revoked; the job FAILED there, {final.OperationsDone}/{final.OperationsTotal} done (kept): {final.FailureDetail}");

        var view = ApiJson.Read<TenantView>(await api.GetAsync(Ekm, cancellationToken));
        Expect(view.Health?.Status == KeyHealthStatus.Revoked, $"the tenant's key health is {view.Health?.Status}, not Revoked");
        timeline.Add("service", $"tenant key health: {view.Health!.Status} ({view.Health.Reason}) since {Format.Clock(view.Health.Since ?? view.Health.CheckedAt ?? DateTimeOffset.UtcNow)}");
    }

    private async Task NewJobWhileRevokedAsync(CancellationToken cancellationToken)
    {
        var job = await StartJobAsync(JobKind.Backup, "manual", cancellationToken);
        var final = await WaitAsync(job.JobId, Finished, null, cancellationToken);
        Expect(final is { State: JobState.Failed, FailureSlug: ProblemSlugs.KeyRevoked, OperationsDone: 0 },
            $"a new backup while revoked should fail key-revoked at its first operation; it ended {final.State} {final.FailureSlug} after {final.OperationsDone} operations");
        var took = final.FinishedAt is { } finished ? $" {(finished - final.CreatedAt).TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms after it was created" : "";
        timeline.Add("job", $"new backup {Format.ShortId(job.JobId)} FAILED at once: operation 1 refused with key-revoked{took} (while revoked, admissions fail fast: at most one KMS call per recheck interval)");
    }

    private async Task SpeedUpAsync(CancellationToken cancellationToken)
    {
        await controls.ClearFaultsAsync(cancellationToken);
        _slowed = false;
        timeline.Add("kms", "local KMS test control: faults cleared, Decrypt at full speed again");
    }

    private async Task ReEnableAsync(CancellationToken cancellationToken)
    {
        await kms.EnableAsync(_keyArn, cancellationToken);
        timeline.Add("customer", "ENABLED the key again in AWS KMS");
    }

    private async Task HealthCheckAsync(CancellationToken cancellationToken)
    {
        var health = ApiJson.Read<KeyHealth>(await api.PostAsync(Ekm + "/health-check", null, cancellationToken));
        Expect(health.Status == KeyHealthStatus.Healthy, $"the health check says {health.Status} ({health.Reason})");
        timeline.Add("admin", $"health check: {health.Status}: the tenant recovered, jobs are admitted again");
    }

    private async Task AuditAsync(CancellationToken cancellationToken)
    {
        var log = ApiJson.Read<AuditLog>(await api.GetAsync(Ekm + "/audit", cancellationToken));
        var revoked = log.Entries.Select(e => e.Event).LastOrDefault(e => e.Kind == KeyEventKind.Revoked);
        var recovered = log.Entries.Select(e => e.Event).FirstOrDefault(e => e.Kind == KeyEventKind.Recovered);
        Expect(log.ChainValid, "the audit log's hash chain does not verify");
        Expect(revoked is not null && recovered is not null, "the audit log lacks the revocation or the recovery");
        timeline.Add("service", $"audit log: {log.Entries.Count} events, hash chain verified; Revoked at {Format.Clock(revoked!.At)} ({revoked.Detail ?? revoked.Actor}), Recovered at {Format.Clock(recovered!.At)}");
    }

    private async Task<JobStatus> RunJobAsync(JobKind kind, string variant, string what, CancellationToken cancellationToken, Func<JobStatus, string>? more = null)
    {
        var started = Stopwatch.GetTimestamp();
        var job = await StartJobAsync(kind, variant, cancellationToken);
        var final = await WaitAsync(job.JobId, Finished, null, cancellationToken);
        Expect(final.State == JobState.Succeeded, $"{what} {Format.ShortId(job.JobId)} ended {final.State} {final.FailureSlug}: {final.FailureDetail}");
        timeline.Add("job", $"{what} {Format.ShortId(job.JobId)} succeeded: {final.OperationsDone}/{final.OperationsTotal} operations, {Format.Count(final.BytesDone)} bytes in {Format.Seconds(Stopwatch.GetElapsedTime(started))}{more?.Invoke(final)}");
        return final;
    }

    private async Task<JobStatus> StartJobAsync(JobKind kind, string variant, CancellationToken cancellationToken) =>
        ApiJson.Read<JobStatus>(await api.PostAsync(EkmApi.Tenant(tenant) + "/jobs",
            new { kind = kind.ToString(), product = nameof(Product.Microsoft365), variant }, cancellationToken));

    private async Task<JobStatus> GetJobAsync(string jobId, CancellationToken cancellationToken) =>
        ApiJson.Read<JobStatus>(await api.GetAsync(Jobs.JobWatcher.Path(tenant, jobId), cancellationToken));

    /// <summary>Polls until <paramref name="until"/> holds or the job ends.</summary>
    private async Task<JobStatus> WaitAsync(string jobId, Func<JobStatus, bool> until, Action<JobStatus>? progress, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(JobLimit.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var status = await GetJobAsync(jobId, cancellationToken);
            progress?.Invoke(status);
            if (until(status) || Finished(status))
            {
                return status;
            }

            Expect(Stopwatch.GetTimestamp() < deadline, $"job {Format.ShortId(jobId)} did not finish within {JobLimit.TotalMinutes:0} minutes ({status.OperationsDone}/{status.OperationsTotal})");
            await Task.Delay(Poll, cancellationToken);
        }
    }

    private static bool Finished(JobStatus status) => status.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new CliException(ExitCodes.DemoStepFailed, UnexpectedOutcome, what);
        }
    }

    private async Task StepAsync(string name, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (CliException ex) when (ex.ExitCode != ExitCodes.Interrupted)
        {
            FailedStep = name;
            throw new CliException(ExitCodes.DemoStepFailed, ex.Slug, $"demo step '{name}' did not go as expected: {ex.Message}", ex.Json, ex);
        }
        catch (AmazonServiceException ex)
        {
            FailedStep = name;
            var failure = KmsErrors.ToCliException(ex);
            throw new CliException(ExitCodes.DemoStepFailed, failure.Slug, $"demo step '{name}' did not go as expected: {failure.Message}", null, ex);
        }
    }
}
