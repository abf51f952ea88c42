using System.Security.Cryptography;
using Ekm.Grains.Kms;
using Ekm.Grains.Telemetry;
using Ekm.Keys;
using Ekm.Problems;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Streams;

namespace Ekm.Grains.Keys;

/// <summary>
/// The single authority for one tenant's keys (DESIGN §2, §5). Non-reentrant: every lifecycle
/// change runs alone, so 100 concurrent requests end in one consistent state.
/// </summary>
internal sealed class KeyGrain(
    [PersistentState(StorageNames.KeyState, StorageNames.GrainStorage)] IPersistentState<KeyState> state,
    [PersistentState(StorageNames.AuditState, StorageNames.GrainStorage)] IPersistentState<AuditState> audit,
    IKms kms,
    KeyValidator validator,
    IVendorKey vendorKey,
    IOptions<KeyOptions> options,
    IOptions<TermsOptions> terms,
    TimeProvider time,
    EkmMetrics metrics,
    ILogger<KeyGrain> logger) : Grain, IKeyGrain, IRemindable
{
    private const string HealthReminder = "key-health";
    private const string SystemActor = "system";
    private const string ProbeActor = "health-probe";
    private static readonly TimeSpan RotationReadInterval = TimeSpan.FromDays(1);

    private Task _lastWrite = Task.CompletedTask;
    private List<(AdmissionRequest Request, TaskCompletionSource<KeyLease> Done)> _waiting = [];
    private bool _flying;
    private DateTimeOffset _nextRecheck;
    private Task? _tenantKeyCreation;

    private string TenantId => this.GetPrimaryKeyString();

    private KeyState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.PendingKeyArn is not null)
        {
            // A key update was interrupted (silo crash): finish it, or roll it back if the old key is gone.
            await ResumeUpdateAsync(cancellationToken);
        }

        if (S.Mode == KeyManagementMode.EnterpriseKeyManagement)
        {
            await this.RegisterOrUpdateReminder(HealthReminder, options.Value.HealthCheckPeriod, options.Value.HealthCheckPeriod, cancellationToken);
        }

        ReportHealth();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        EkmMetrics.TenantHealth(TenantId, null);
        return Task.CompletedTask;
    }

    /// <summary>Keeps the <c>ekm.tenants</c> gauge of this silo in step with what is stored.</summary>
    private void ReportHealth() =>
        EkmMetrics.TenantHealth(TenantId, S.Mode == KeyManagementMode.EnterpriseKeyManagement ? S.Health.Status : null);

    public Task<TenantKeyStatus> GetStatusAsync() => Task.FromResult(Snapshot());

    public async Task<TenantKeyStatus> SetAvailabilityAsync(bool activated, string actor)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        if (!activated && S.Mode == KeyManagementMode.EnterpriseKeyManagement)
        {
            throw new EkmProblemException(ProblemSlugs.EkmIrreversible,
                "This tenant uses Enterprise Key Management, which cannot be turned off: there is no way back to Cloud Key Management.");
        }

        if (S.EkmActivated == activated && state.RecordExists)
        {
            return Snapshot();
        }

        S.EkmActivated = activated;
        S.AvailabilityChangedBy = actor;
        S.AvailabilityChangedAt = time.GetUtcNow();
        await SaveAsync(KeyEventKind.AvailabilityChanged, actor, null, activated ? "activated" : "deactivated");

        metrics.AvailabilityChanged(activated);
        KeyGrainLog.AvailabilityChanged(logger, TenantId, activated, actor);
        return Snapshot();
    }

    public async Task<KeyValidation> ValidateKeyAsync(string keyArn, string actor)
    {
        RequireActivated();
        var validation = await validator.ValidateAsync(TenantId, keyArn);
        await AppendAuditAsync(KeyEventKind.KeyValidated, actor, validation.KeyArn, null);
        return validation;
    }

    public async Task<TenantKeyStatus> EnableAsync(EnableEkm request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireActivated();
        if (S.Mode == KeyManagementMode.EnterpriseKeyManagement)
        {
            // The same request again is answered with the state it produced; anything else is a different request.
            if (await IsCurrentKeyAsync(request.KeyArn))
            {
                return Snapshot();
            }

            throw new EkmProblemException(ProblemSlugs.EkmAlreadyEnabled,
                "Enterprise Key Management is already enabled for this tenant. To use another key, update the key ARN instead.");
        }

        if (!request.AcceptTerms || request.TermsVersion != terms.Value.Version)
        {
            throw new EkmProblemException(ProblemSlugs.TermsNotAccepted,
                $"Accept the current Enterprise Key Management terms (version {terms.Value.Version}, at /api/ekm/terms) to enable it.");
        }

        var validation = await validator.ValidateAsync(TenantId, request.KeyArn);
        await EnsureTenantKeyAsync();
        var rewrapped = await kms.ReEncryptAsync(S.WrappedTenantKey!, S.WrappingKeyArn!, validation.KeyArn, TenantId);

        var now = time.GetUtcNow();
        S.Mode = KeyManagementMode.EnterpriseKeyManagement;
        S.WrappingKeyArn = validation.KeyArn;
        S.WrappedTenantKey = rewrapped; // the vendor-wrapped copy is gone with this write
        S.KeyEpoch++;
        S.Terms = new TermsAcceptance(terms.Value.Version, request.Actor, now);
        S.History.Add(new KeyArnPeriod(validation.KeyArn, now, null));
        S.Health = new KeyHealth(KeyHealthStatus.Healthy, null, now, now);
        await RefreshRotationAsync();
        await SaveAsync(KeyEventKind.EkmEnabled, request.Actor, validation.KeyArn, $"terms {terms.Value.Version} accepted");
        await GrainFactory.GetGrain<ITenantDirectoryGrain>(0).AddAsync(TenantId);
        await this.RegisterOrUpdateReminder(HealthReminder, options.Value.HealthCheckPeriod, options.Value.HealthCheckPeriod);
        KeyGrainLog.EkmEnabled(logger, TenantId, validation.KeyArn, request.Actor);
        return Snapshot();
    }

    public async Task<TenantKeyStatus> UpdateKeyAsync(string keyArn, string actor)
    {
        if (S.PendingKeyArn is not null)
        {
            await ResumeUpdateAsync(CancellationToken.None);
        }

        if (S.Mode != KeyManagementMode.EnterpriseKeyManagement)
        {
            throw new EkmProblemException(ProblemSlugs.EkmNotEnabled,
                "Enterprise Key Management is not enabled for this tenant: enable it with a key first.");
        }

        if (await IsCurrentKeyAsync(keyArn))
        {
            return Snapshot();
        }

        var validation = await validator.ValidateAsync(TenantId, keyArn);
        if (validation.KeyArn == S.WrappingKeyArn)
        {
            return Snapshot();
        }

        // Written down first: a crash from here on resumes (or rolls back) on the next activation.
        S.PendingKeyArn = validation.KeyArn;
        S.PendingRequestedBy = actor;
        await SaveAsync(KeyEventKind.KeyUpdateStarted, actor, validation.KeyArn, $"from {S.WrappingKeyArn}");
        await CompleteUpdateAsync(CancellationToken.None);
        return Snapshot();
    }

    public async Task<KeyHealth> CheckHealthAsync(string actor)
    {
        if (S.Mode != KeyManagementMode.EnterpriseKeyManagement || S.WrappedTenantKey is null)
        {
            return S.Health;
        }

        if (S.PendingKeyArn is not null)
        {
            await ResumeUpdateAsync(CancellationToken.None);
        }

        var now = time.GetUtcNow();
        KeyHealth verdict;
        try
        {
            var plaintext = await kms.DecryptAsync(S.WrappingKeyArn!, S.WrappedTenantKey, TenantId);
            CryptographicOperations.ZeroMemory(plaintext);
            verdict = new KeyHealth(KeyHealthStatus.Healthy, null, now, null);

            // The vendor's KMS quota is shared: a routine probe reads the rotation settings at most
            // daily; a check someone asked for reads them every time.
            if (actor != ProbeActor || S.Rotation is null || now - S.Rotation.CheckedAt > RotationReadInterval)
            {
                await RefreshRotationAsync();
            }
        }
        catch (EkmProblemException ex) when (AwsKms.IsRevocation(ex.Slug))
        {
            verdict = new KeyHealth(KeyHealthStatus.Revoked, ex.Slug, now, null);
        }
        catch (EkmProblemException ex) when (ex.Slug == ProblemSlugs.KmsUnavailable)
        {
            // A passing fault says nothing about the key: a revoked tenant stays revoked, a healthy one is "unavailable".
            verdict = S.Health.Status == KeyHealthStatus.Revoked
                ? S.Health with { CheckedAt = now }
                : new KeyHealth(KeyHealthStatus.Unavailable, ex.Slug, now, null);
        }

        return await RecordVerdictAsync(verdict, actor);
    }

    /// <summary>
    /// Records what a probe or an admission learned of the key: a move to revoked bumps the key
    /// epoch; changes of status or reason are audited and published; a probe that finds nothing new
    /// only updates the state and tells watchers it looked (DESIGN §2: health checks are key events).
    /// </summary>
    private async Task<KeyHealth> RecordVerdictAsync(KeyHealth verdict, string actor)
    {
        var previous = S.Health;
        verdict = verdict with { Since = previous.Status == verdict.Status ? previous.Since ?? verdict.CheckedAt : verdict.CheckedAt };
        S.Health = verdict;
        var kind = (previous.Status, verdict.Status) switch
        {
            (not KeyHealthStatus.Revoked, KeyHealthStatus.Revoked) => KeyEventKind.Revoked,
            (KeyHealthStatus.Revoked, KeyHealthStatus.Healthy) => KeyEventKind.Recovered,
            _ => KeyEventKind.HealthChecked,
        };
        if (kind == KeyEventKind.Revoked)
        {
            S.KeyEpoch++;
            metrics.Revoked(verdict.Reason!);
            KeyGrainLog.Revoked(logger, TenantId, S.WrappingKeyArn!, verdict.Reason!);
        }
        else if (kind == KeyEventKind.Recovered)
        {
            KeyGrainLog.Recovered(logger, TenantId, S.WrappingKeyArn!);
        }

        var detail = verdict.Reason ?? verdict.Status.ToString();
        if (kind != KeyEventKind.HealthChecked || previous.Status != verdict.Status || previous.Reason != verdict.Reason)
        {
            await SaveAsync(kind, actor, S.WrappingKeyArn, detail);
        }
        else
        {
            await WriteStateAsync();
            await PublishAsync(NewEvent(kind, actor, S.WrappingKeyArn, detail));
        }

        return verdict;
    }

    public Task<KeyLease> AdmitAsync(AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (S.Health.Status == KeyHealthStatus.Revoked && time.GetUtcNow() < _nextRecheck)
        {
            // Fail fast: the vendor's KMS quota is shared by every tenant (rule 4).
            return Task.FromException<KeyLease>(Revoked());
        }

        var done = new TaskCompletionSource<KeyLease>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting.Add((request, done));
        if (!_flying)
        {
            _flying = true;
            _ = FlyAsync();
        }

        return done.Task;
    }

    /// <summary>
    /// The single flight (DESIGN §12): takes every request waiting now, makes one KMS call for them,
    /// answers them all, and repeats while requests arrived during the call. A request is answered
    /// only by a call that started after it arrived (rule 1). Runs on the grain's scheduler, so the
    /// queue needs no lock; it never throws.
    /// </summary>
    private async Task FlyAsync()
    {
        try
        {
            while (_waiting.Count > 0)
            {
                var batch = _waiting;
                _waiting = [];
                await FlyOnceAsync(batch);
            }
        }
        finally
        {
            _flying = false;
        }
    }

    private async Task FlyOnceAsync(List<(AdmissionRequest Request, TaskCompletionSource<KeyLease> Done)> batch)
    {
        if (S.Health.Status == KeyHealthStatus.Revoked && time.GetUtcNow() < _nextRecheck)
        {
            FailAll(batch, Revoked());
            return;
        }

        byte[] tenantKey;
        try
        {
            await EnsureTenantKeyAsync();
            var (arn, wrapped) = (S.WrappingKeyArn!, S.WrappedTenantKey!);
            tenantKey = await kms.DecryptAsync(arn, wrapped, TenantId);
        }
        catch (EkmProblemException ex) when (AwsKms.IsRevocation(ex.Slug))
        {
            _nextRecheck = time.GetUtcNow() + options.Value.RevokedRecheckInterval;
            await RecordVerdictSafelyAsync(new KeyHealth(KeyHealthStatus.Revoked, ex.Slug, time.GetUtcNow(), null), "admission");
            FailAll(batch, Revoked());
            return;
        }
        catch (Exception ex)
        {
            // Transient (kms-unavailable, already retried) or unexpected: these requests fail, the tenant is not revoked.
            if (S.Health.Status == KeyHealthStatus.Revoked)
            {
                // The recheck is spent even though KMS did not answer: without this, a revoked tenant
                // would call KMS on every batch for as long as KMS fails (rule 4).
                _nextRecheck = time.GetUtcNow() + options.Value.RevokedRecheckInterval;
            }

            FailAll(batch, ex);
            return;
        }

        try
        {
            foreach (var (request, done) in batch)
            {
                try
                {
                    done.TrySetResult(Lease(tenantKey, request));
                }
                catch (EkmProblemException ex)
                {
                    done.TrySetException(ex);
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(tenantKey);
        }

        metrics.Admitted(batch.Count);
        if (S.Health.Status is KeyHealthStatus.Revoked or KeyHealthStatus.Unavailable)
        {
            await RecordVerdictSafelyAsync(new KeyHealth(KeyHealthStatus.Healthy, null, time.GetUtcNow(), null), "admission");
        }
    }

    public async Task<KeyLease> LegalHoldLeaseAsync(AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        byte[]? legalHoldKey = null;
        if (S.WrappedLegalHoldKey is null)
        {
            // Made once per tenant, with its plaintext from the same call: one KMS call, not two.
            var (plaintext, wrapped) = await kms.GenerateDataKeyAsync(vendorKey.KeyArn, TenantId);
            if (S.WrappedLegalHoldKey is null)
            {
                S.WrappedLegalHoldKey = wrapped;
                S.LegalHoldKeyArn = vendorKey.KeyArn;
                await WriteStateAsync();
                legalHoldKey = plaintext;
            }
            else
            {
                // An interleaved call made it first: use that one.
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }

        legalHoldKey ??= await kms.DecryptAsync(S.LegalHoldKeyArn!, S.WrappedLegalHoldKey, TenantId);
        try
        {
            return Lease(legalHoldKey, request);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(legalHoldKey);
        }
    }

    private KeyLease Lease(byte[] tenantKey, AdmissionRequest request)
    {
        var dataKey = TenantKeyCrypto.NewDataKey();
        var stored = request.StoredDataKeys.Select(w => TenantKeyCrypto.Unwrap(tenantKey, w, TenantId)).ToList();
        return new KeyLease(dataKey, TenantKeyCrypto.Wrap(tenantKey, dataKey, TenantId), S.KeyEpoch, stored);
    }

    private void FailAll(List<(AdmissionRequest Request, TaskCompletionSource<KeyLease> Done)> batch, Exception error)
    {
        metrics.Refused(batch.Count, error is EkmProblemException p ? p.Slug : ProblemSlugs.InternalError);
        foreach (var (_, done) in batch)
        {
            done.TrySetException(error);
        }
    }

    private EkmProblemException Revoked() => new(ProblemSlugs.KeyRevoked,
        $"The tenant's KMS key can no longer be used by the service ({S.Health.Reason}). Restore access to the key in AWS KMS; the service notices within seconds.");

    /// <summary>A verdict reached by admission; recording it must not fail the requests it answers.</summary>
    private async Task RecordVerdictSafelyAsync(KeyHealth verdict, string actor)
    {
        try
        {
            await RecordVerdictAsync(verdict, actor);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            KeyGrainLog.VerdictNotRecorded(logger, ex, TenantId, verdict.Status.ToString());
        }
    }

    public Task<AuditLog> GetAuditAsync()
    {
        var entries = audit.State.Entries;
        return Task.FromResult(new AuditLog(entries.AsEnumerable().Reverse().ToList(), AuditChain.Verify(TenantId, entries)));
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == HealthReminder ? CheckHealthAsync(ProbeActor) : Task.CompletedTask;

    private void RequireActivated()
    {
        if (!S.EkmActivated)
        {
            throw new EkmProblemException(ProblemSlugs.EkmNotActivated,
                "Enterprise Key Management is not activated for this tenant. Ask support to activate it.");
        }
    }

    /// <summary>Under Cloud Key Management the tenant key is made on first need, wrapped by the vendor key.</summary>
    private Task EnsureTenantKeyAsync()
    {
        if (S.WrappedTenantKey is not null)
        {
            return Task.CompletedTask;
        }

        // Admission interleaves with enable: both must get the one tenant key, never two.
        return _tenantKeyCreation ??= CreateTenantKeyAsync();

        async Task CreateTenantKeyAsync()
        {
            try
            {
                var wrapped = await kms.GenerateWrappedKeyAsync(vendorKey.KeyArn, TenantId);
                S.WrappingKeyArn = vendorKey.KeyArn;
                S.WrappedTenantKey = wrapped;
                await WriteStateAsync();
            }
            finally
            {
                _tenantKeyCreation = null;
            }
        }
    }

    private async Task ResumeUpdateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CompleteUpdateAsync(cancellationToken);
        }
        catch (EkmProblemException ex) when (ex.Slug == ProblemSlugs.OldKeyUnavailable || AwsKms.IsRevocation(ex.Slug))
        {
            // Rolled back and recorded by CompleteUpdateAsync; activation goes on with the current key.
        }
        catch (EkmProblemException ex) when (ex.Slug == ProblemSlugs.KmsUnavailable)
        {
            // KMS is not answering: the update stays pending (the current key still serves) and is
            // resumed by the next update, health check or activation. The tenant stays usable meanwhile.
            KeyGrainLog.UpdateStillPending(logger, TenantId, S.PendingKeyArn!);
        }
    }

    /// <summary>ReEncrypt old → new, then switch in one write. Repeating it is harmless: the old blob is only replaced by the switch.</summary>
    private async Task CompleteUpdateAsync(CancellationToken cancellationToken)
    {
        var target = S.PendingKeyArn!;
        var actor = S.PendingRequestedBy ?? SystemActor;
        byte[] rewrapped;
        try
        {
            rewrapped = await kms.ReEncryptAsync(S.WrappedTenantKey!, S.WrappingKeyArn!, target, TenantId, cancellationToken);
        }
        catch (EkmProblemException ex) when (AwsKms.IsRevocation(ex.Slug))
        {
            // Nothing changes: the tenant key stays with the current key, the update is abandoned.
            S.PendingKeyArn = null;
            S.PendingRequestedBy = null;
            await SaveAsync(KeyEventKind.KeyUpdateRolledBack, actor, target, ex.Slug);
            if (await CurrentKeyWorksAsync(cancellationToken))
            {
                throw; // the new key refused
            }

            throw new EkmProblemException(ProblemSlugs.OldKeyUnavailable,
                $"The current key {S.WrappingKeyArn} can no longer be used, so the tenant key cannot be moved to the new key. Re-enable the current key in AWS KMS until the update completes; nothing was changed.");
        }

        var now = time.GetUtcNow();
        var old = S.WrappingKeyArn;
        S.WrappingKeyArn = target;
        S.WrappedTenantKey = rewrapped;
        S.KeyEpoch++;
        S.PendingKeyArn = null;
        S.PendingRequestedBy = null;
        for (var i = 0; i < S.History.Count; i++)
        {
            if (S.History[i].To is null)
            {
                S.History[i] = S.History[i] with { To = now };
            }
        }

        S.History.Add(new KeyArnPeriod(target, now, null));
        S.Health = new KeyHealth(KeyHealthStatus.Healthy, null, now, now);
        await RefreshRotationAsync();
        await SaveAsync(KeyEventKind.KeyUpdated, actor, target, $"from {old}; the old key is no longer used and may be disabled");
        KeyGrainLog.KeyUpdated(logger, TenantId, old!, target, actor);
    }

    /// <summary>
    /// Reads the customer key's rotation settings for the status. Best effort: a policy that does not
    /// grant kms:GetKeyRotationStatus leaves the last known settings (or none) in place.
    /// </summary>
    private async Task RefreshRotationAsync()
    {
        try
        {
            var (enabled, period, next, onDemand) = await kms.GetRotationStatusAsync(S.WrappingKeyArn!);
            S.Rotation = new KeyRotation(enabled, period, next, onDemand, time.GetUtcNow());
        }
        catch (EkmProblemException)
        {
            // Rotation is transparent to the service; not being able to read its settings changes nothing.
        }
    }

    /// <summary>Whether an ARN as sent (key or alias ARN) names the key in use now.</summary>
    private async Task<bool> IsCurrentKeyAsync(string keyArnText)
    {
        if (!KeyArn.TryParse(keyArnText, out var arn, out _))
        {
            return false;
        }

        if (arn.ToString() == S.WrappingKeyArn || !arn.IsAlias)
        {
            return arn.ToString() == S.WrappingKeyArn;
        }

        try
        {
            return (await kms.DescribeKeyAsync(arn.ToString())).Arn == S.WrappingKeyArn;
        }
        catch (EkmProblemException)
        {
            return false;
        }
    }

    private async Task<bool> CurrentKeyWorksAsync(CancellationToken cancellationToken)
    {
        try
        {
            var plaintext = await kms.DecryptAsync(S.WrappingKeyArn!, S.WrappedTenantKey!, TenantId, cancellationToken);
            CryptographicOperations.ZeroMemory(plaintext);
            return true;
        }
        catch (EkmProblemException)
        {
            return false;
        }
    }

    /// <summary>Writes the key state and appends the event to the audit log, then publishes it.</summary>
    private async Task SaveAsync(KeyEventKind kind, string actor, string? keyArn, string? detail)
    {
        await WriteStateAsync();
        await AppendAuditAsync(kind, actor, keyArn, detail);
    }

    private Task AppendAuditAsync(KeyEventKind kind, string actor, string? keyArn, string? detail) =>
        OneWriteAtATimeAsync(() => AppendAuditNowAsync(kind, actor, keyArn, detail));

    private async Task AppendAuditNowAsync(KeyEventKind kind, string actor, string? keyArn, string? detail)
    {
        var e = NewEvent(kind, actor, keyArn, detail);
        audit.State.Entries.Add(AuditChain.Append(audit.State.Entries, e));
        try
        {
            await audit.WriteStateAsync();
        }
        catch
        {
            // As with the key state: the write may or may not have landed, so the next call starts
            // again from what is stored rather than from a chain (and ETag) that may differ from it.
            audit.State.Entries.RemoveAt(audit.State.Entries.Count - 1);
            DeactivateOnIdle();
            throw;
        }

        await PublishAsync(e);
    }

    private KeyEvent NewEvent(KeyEventKind kind, string actor, string? keyArn, string? detail) =>
        new(TenantId, kind, time.GetUtcNow(), actor, keyArn, S.KeyEpoch, detail);

    private async Task PublishAsync(KeyEvent e)
    {
        try
        {
            await this.GetStreamProvider(KeyStreams.Provider)
                .GetStream<KeyEvent>(StreamId.Create(KeyStreams.Namespace, TenantId))
                .OnNextAsync(e);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Streams are for watchers; the audit log and the state are the record.
            KeyGrainLog.PublishFailed(logger, ex, TenantId, e.Kind.ToString());
        }
    }

    /// <summary>
    /// One outstanding write at a time: admission interleaves with the other methods, and two
    /// overlapping writes of one grain state would conflict on its ETag.
    /// </summary>
    private Task WriteStateAsync() => OneWriteAtATimeAsync(async () =>
    {
        try
        {
            await state.WriteStateAsync();
            ReportHealth();
        }
        catch
        {
            // The in-memory state now differs from what is stored: drop this activation so the
            // next call starts again from the stored state instead of from a half-applied change.
            DeactivateOnIdle();
            throw;
        }
    });

    /// <summary>Chains writes on the grain's scheduler: each starts when the one before it has ended.</summary>
    private async Task OneWriteAtATimeAsync(Func<Task> write)
    {
        var before = _lastWrite;
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lastWrite = mine.Task;
        try
        {
            await before;
            await write();
        }
        finally
        {
            mine.SetResult();
        }
    }

    private TenantKeyStatus Snapshot() => new(
        TenantId,
        S.Mode,
        new EkmAvailability(S.EkmActivated, S.AvailabilityChangedBy, S.AvailabilityChangedAt))
    {
        KeyArn = S.Mode == KeyManagementMode.EnterpriseKeyManagement ? S.WrappingKeyArn : null,
        Health = S.Health,
        Terms = S.Terms,
        PendingKeyArn = S.PendingKeyArn,
        History = [.. S.History],
        KeyEpoch = S.KeyEpoch,
        Rotation = S.Mode == KeyManagementMode.EnterpriseKeyManagement ? S.Rotation : null,
    };
}
