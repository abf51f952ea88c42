using Ekm.Grains.Kms;
using Ekm.Jobs;
using Ekm.Keys;
using Ekm.Problems;

namespace Ekm.Grains.Tests;

/// <summary>
/// What the soak checks once the load has stopped, from the timestamps it took around every call
/// (DESIGN §4). A check counts as a violation only what the timestamps prove; what they cannot
/// decide (a call that overlapped the revoking or restoring call) is counted apart.
/// </summary>
internal static class SoakChecks
{
    /// <summary>
    /// Rule 1: a direct admission requested after the revoking call returned and answered before the
    /// restoring call started was answered by a KMS call made while the key was revoked: granting it
    /// is a violation. Granted around the revoking call = in flight (allowed). Rule 6: a tenant that
    /// only ever saw transient faults is never refused <c>key-revoked</c>.
    /// </summary>
    public static void Admissions(SoakTenant t, SoakTally tally)
    {
        foreach (var a in t.Admissions)
        {
            tally.Add("admissions.requested");
            tally.Add("admissions.latency." + LatencyBucket(a.AnsweredAt - a.RequestedAt));
            tally.Add("admissions.outcome." + a.Outcome);
            var during = t.Periods.FirstOrDefault(p => p.SurelyRevoked(a.RequestedAt, a.AnsweredAt));
            switch (a.Outcome)
            {
                case AdmissionRecord.Admitted when during is not null:
                    tally.Violation("admitted-after-revocation",
                        $"{t.Id}: admission requested {Ms(a.RequestedAt - during.RevokeReturned)} ms after the {during.How} returned was granted");
                    break;
                case AdmissionRecord.Admitted:
                    if (t.Periods.Any(p => a.RequestedAt < p.RevokeReturned && a.AnsweredAt > p.RevokeStart))
                    {
                        tally.Add("admissions.in-flight");
                    }

                    break;
                case ProblemSlugs.KeyRevoked when t.Group == SoakGroup.TransientOnly:
                    tally.Violation("transient-tenant-refused-revoked", $"{t.Id}: an admission was refused key-revoked");
                    break;
                case ProblemSlugs.KeyRevoked or ProblemSlugs.KmsUnavailable:
                    if (during is not null)
                    {
                        tally.Add("admissions.decided-during-revocation");
                    }

                    break;
                default:
                    tally.Violation("unexpected-admission-outcome", $"{t.Id}: {a.Outcome}");
                    break;
            }
        }
    }

    /// <summary>
    /// Rules 1–3 for jobs: a job started after the revoking call returned and seen finished before
    /// the restoring call started completed no operation; a job running at the revocation completed
    /// at most the one operation in flight then. Every gated job ends succeeded or failed
    /// <c>key-revoked</c> / <c>kms-unavailable</c>; legal hold downloads (rule 5) always succeed.
    /// </summary>
    public static void Jobs(SoakTenant t, SoakTally tally)
    {
        foreach (var j in t.Jobs)
        {
            tally.Add($"job.{j.Spec.Kind}.{j.Outcome}");
            tally.Add("jobs.operations", j.Final?.OperationsDone ?? 0);
            if (j.Error is not null)
            {
                tally.Violation("job-error", $"{t.Id} {j.Spec.Kind}/{j.Spec.Variant} {j.JobId}: {j.Error}");
                continue;
            }

            if (j.RefusedAtStart is { } refusal)
            {
                if (refusal != ProblemSlugs.NothingToRestore)
                {
                    tally.Violation("job-refused", $"{t.Id} {j.Spec.Kind}/{j.Spec.Variant}: {refusal}");
                }

                continue;
            }

            var final = j.Final!;
            if (j.Spec.Kind == JobKind.LegalHoldDownload)
            {
                // Not gated by the customer key (rule 5); the vendor's KMS can still fail in passing.
                if (final.State != JobState.Succeeded && final.FailureSlug != ProblemSlugs.KmsUnavailable)
                {
                    tally.Violation("legal-hold-not-served", $"{t.Id} {j.JobId}: {j.Outcome}");
                }

                continue;
            }

            if (final.State != JobState.Succeeded && (final.State != JobState.Failed || final.FailureSlug is not (ProblemSlugs.KeyRevoked or ProblemSlugs.KmsUnavailable)))
            {
                tally.Violation("job-outcome", $"{t.Id} {j.Spec.Kind}/{j.Spec.Variant} {j.JobId}: {j.Outcome} ({final.FailureDetail})");
            }

            if (t.Group == SoakGroup.TransientOnly && final.FailureSlug == ProblemSlugs.KeyRevoked)
            {
                tally.Violation("transient-tenant-job-revoked", $"{t.Id} {j.JobId}");
            }

            if (t.Periods.FirstOrDefault(p => p.SurelyRevoked(j.StartedAt, j.FinishedAt)) is { } p)
            {
                tally.Add("jobs.started-and-ended-while-revoked");
                if (final.OperationsDone > 0)
                {
                    tally.Violation("job-started-after-revocation-did-work",
                        $"{t.Id} {j.Spec.Kind} {j.JobId} started {Ms(j.StartedAt - p.RevokeReturned)} ms after the {p.How} returned: {final.OperationsDone} operations done");
                }
            }
        }

        foreach (var p in t.Periods)
        {
            foreach (var (j, done) in p.RunningAtRevocation)
            {
                if (j.Spec.Kind == JobKind.LegalHoldDownload || j.Final is not { } final || j.FinishedAt >= p.RestoreStart)
                {
                    continue;
                }

                tally.Add("jobs.cut-by-revocation");
                if (final.OperationsDone > done + 1)
                {
                    tally.Violation("session-outlived-revocation",
                        $"{t.Id} {j.Spec.Kind} {j.JobId}: {done} operations done when the {p.How} returned, {final.OperationsDone} at the end");
                }
                else if (final.OperationsDone == done + 1)
                {
                    tally.Add("jobs.in-flight-operation-finished");
                }
            }
        }
    }

    /// <summary>
    /// Rule 6 and the audit: a transient-only tenant's log shows no revocation and its key epoch never
    /// moved; every revocation in any other tenant's log names what the customer did (the reason
    /// matches the mechanism), falls within one of its revocations (plus <paramref name="slack"/> on
    /// the silos' clock: an event is stamped after the state write before it) and is backed by a
    /// KMS refusal of its class on the tenant's key.
    /// </summary>
    public static void Events(SoakTenant t, SoakTally tally, TimeSpan slack, Func<string, long> kmsAnswers)
    {
        var audit = t.Audit!;
        if (!audit.ChainValid)
        {
            tally.Violation("audit-chain", $"{t.Id}: the audit hash chain does not verify");
        }

        foreach (var e in audit.Entries.Select(x => x.Event).Reverse())
        {
            if (e.Kind == KeyEventKind.Recovered)
            {
                tally.Add("events.recovered");
                if (t.Periods.Any(p => e.At > p.FakeRevokeReturned + slack && e.At < (p.FakeRestoreStart ?? DateTimeOffset.MaxValue)))
                {
                    tally.Add("events.recovered-while-revoked");
                }

                continue;
            }

            var revokedVerdict = e.Kind == KeyEventKind.Revoked
                || (e.Kind == KeyEventKind.HealthChecked && e.Detail is { } d && AwsKms.IsRevocation(d));
            if (!revokedVerdict)
            {
                continue;
            }

            if (e.Kind == KeyEventKind.Revoked)
            {
                tally.Add("events.revoked." + e.Detail);
            }

            if (t.Group == SoakGroup.TransientOnly)
            {
                tally.Violation("transient-tenant-marked-revoked", $"{t.Id}: {e.Kind} {e.Detail} at {e.At:O} by {e.Actor}");
            }
            else if (!t.Periods.Any(p => p.FakeRevokeStart <= e.At
                && (p.FakeRestoreReturned is not { } end || e.At <= end + slack)
                && p.Reasons.Contains(e.Detail)))
            {
                var near = t.Periods.Where(p => p.FakeRevokeStart <= e.At + slack && (p.FakeRestoreReturned ?? DateTimeOffset.MaxValue) >= e.At - slack - slack)
                    .Select(p => $"{p.How} {p.FakeRevokeStart:HH:mm:ss.f}–{p.FakeRestoreReturned:HH:mm:ss.f}");
                tally.Violation("revoked-without-matching-revocation", $"{t.Id}: {e.Kind} {e.Detail} at {e.At:HH:mm:ss.f} by {e.Actor}; revocations near it: {string.Join(", ", near)}");
            }
        }

        // Each revoked verdict needs a KMS answer of its class on the tenant's key (a cancelled deletion answers "disabled" too).
        var verdicts = audit.Entries.Select(x => x.Event)
            .Where(e => e.Kind is KeyEventKind.Revoked or KeyEventKind.HealthChecked && e.Detail is { } d && AwsKms.IsRevocation(d))
            .GroupBy(e => e.Detail == ProblemSlugs.KeyAccessDenied)
            .ToDictionary(g => g.Key, g => g.LongCount());
        var denied = kmsAnswers(LocalKms.Protocol.KmsErrors.AccessDenied);
        var stateRefusals = kmsAnswers(LocalKms.Protocol.KmsErrors.Disabled) + kmsAnswers(LocalKms.Protocol.KmsErrors.InvalidState);
        if (verdicts.GetValueOrDefault(true) > denied || verdicts.GetValueOrDefault(false) > stateRefusals)
        {
            tally.Violation("revoked-without-kms-refusal",
                $"{t.Id}: {verdicts.GetValueOrDefault(true)} access-denied verdicts for {denied} refusals, {verdicts.GetValueOrDefault(false)} key-state verdicts for {stateRefusals} refusals");
        }

        if (t.Group == SoakGroup.TransientOnly && t.FinalStatus!.KeyEpoch != t.EpochAtStart)
        {
            tally.Violation("transient-tenant-epoch-moved", $"{t.Id}: key epoch {t.EpochAtStart} → {t.FinalStatus.KeyEpoch}");
        }
    }

    /// <summary>
    /// Rule 4: while the tenant is held revoked, admissions fail fast and KMS is asked at most once
    /// per recheck interval, plus the periodic health probe. Counted from the local KMS's side over
    /// the time the key was surely revoked and the grain surely knew it: from the clock's first move
    /// past the <c>Revoked</c> event to its move to the <c>Recovered</c> one (before the first
    /// refusal, transient faults may hide the revocation and every batch rightly asks KMS). The
    /// budget allows the SDK's one retry of each call and three calls for the edges (a flight
    /// already under way, a probe's verdict, the first admission after it).
    /// </summary>
    public static void KmsBudget(SoakTenant t, SoakTally tally, IReadOnlyList<(long Real, DateTimeOffset Fake)> ticks,
        TimeSpan recheck, TimeSpan healthPeriod, DateTimeOffset fakeNow)
    {
        var known = new List<(long From, long To, DateTimeOffset FakeFrom, DateTimeOffset FakeTo)>();
        DateTimeOffset? since = null;
        foreach (var e in t.Audit!.Entries.Select(x => x.Event).Reverse())
        {
            if (e.Kind == KeyEventKind.Revoked)
            {
                since ??= e.At;
            }
            else if (e.Kind == KeyEventKind.Recovered && since is { } from)
            {
                known.Add((ClockPast(from), ClockAt(e.At), from, e.At));
                since = null;
            }
        }

        if (since is { } open)
        {
            known.Add((ClockPast(open), long.MaxValue, open, fakeNow));
        }

        var calls = t.DecryptCalls.ToArray();
        foreach (var p in t.Periods)
        {
            foreach (var k in known)
            {
                var (from, to) = (Math.Max(k.From, p.RevokeReturned), Math.Min(k.To, p.RestoreStart));
                if (from >= to)
                {
                    continue;
                }

                var fakeFrom = k.FakeFrom > p.FakeRevokeReturned ? k.FakeFrom : p.FakeRevokeReturned;
                var fakeTo = p.FakeRestoreStart is { } restored && restored < k.FakeTo ? restored : k.FakeTo;
                var span = fakeTo > fakeFrom ? fakeTo - fakeFrom : TimeSpan.Zero;
                var seen = calls.LongCount(x => x > from && x < to);
                var budget = 2 * (3 + (long)(span / recheck) + (long)Math.Ceiling(span / healthPeriod));
                tally.Add("budget.windows");
                tally.Add("budget.calls", seen);
                tally.Add("budget.allowed", budget);
                if (seen > budget)
                {
                    tally.Violation("kms-budget-while-revoked",
                        $"{t.Id}: {seen} Decrypt calls in {span.TotalSeconds:0} s (silos' clock) held revoked after a {p.How} (budget {budget})");
                }
            }
        }

        // The clock showed an event's time until its next move: by then the event had happened.
        long ClockPast(DateTimeOffset at) => ticks.Where(x => x.Fake > at).Select(x => x.Real).DefaultIfEmpty(long.MaxValue).First();

        // The event happened after the clock was moved to its time.
        long ClockAt(DateTimeOffset at) => ticks.Where(x => x.Fake <= at).Select(x => x.Real).DefaultIfEmpty(long.MinValue).Last();
    }

    /// <summary>Admission latency in decades: under 10 ms, under 100 ms, under 1 s, under 10 s, 10 s or more.</summary>
    private static string LatencyBucket(long ticks) => Ms(ticks) switch
    {
        < 10 => "a <10ms",
        < 100 => "b <100ms",
        < 1000 => "c <1s",
        < 10_000 => "d <10s",
        _ => "e >=10s",
    };

    private static long Ms(long ticks) => ticks * 1000 / System.Diagnostics.Stopwatch.Frequency;
}
