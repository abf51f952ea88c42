using System.Globalization;
using System.Text;
using Amazon.KeyManagementService.Model;
using Ekm.Grains.Keys;
using Ekm.Keys;
using Ekm.LocalKms.Faults;
using Ekm.LocalKms.Hosting;
using Ekm.LocalKms.Protocol;
using Ekm.Problems;
using Xunit.Abstractions;

namespace Ekm.Grains.Tests;

/// <summary>
/// A bounded soak (docs/soak.md): many tenants run mixed jobs and direct admissions while their
/// customers revoke and restore keys at random and the local KMS injects throttling, 5xx, latency
/// and timeouts. It proves, over the whole run, that no admission requested after its tenant's
/// revocation returned was granted and no session completed more than its in-flight operation
/// after it (DESIGN §4 rules 1–3), that no tenant was marked revoked by a transient fault and every
/// revocation on record matches one the customer made (rule 6), that KMS was spared while revoked
/// (rule 4), that legal hold downloads were never refused for the key (rule 5), and that at the
/// end every backed-up item of a tenant whose key is usable restores byte for byte while a revoked
/// tenant's restore fails <c>key-revoked</c>. CI runs 30 s of load; <c>EKM_SOAK_SECONDS</c>,
/// <c>EKM_SOAK_SEED</c> and <c>EKM_SOAK_TENANTS</c> make it longer, another run or wider.
/// </summary>
public sealed class SoakTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestDatabase _database = new();

    [Fact]
    public async Task Soak_TenantsUnderRandomRevocationsAndKmsFaults_NoLateAdmissionNoFalseRevocationEveryBackupRestores()
    {
        var settings = SoakSettings.FromEnvironment();
        output.WriteLine($"soak: seed {settings.Seed} (EKM_SOAK_SEED), {settings.Duration.TotalSeconds:0} s of load (EKM_SOAK_SECONDS), {settings.Tenants} tenants (EKM_SOAK_TENANTS)");
        var started = TimeProvider.System.GetTimestamp();
        await using var c = await SqliteCluster.StartAsync(_database.Path, keyOptions: SoakRun.SoakKeyOptions, kmsTimeout: SoakRun.KmsTimeout);
        using var run = new SoakRun(c, settings, Path.GetDirectoryName(_database.Path)!, output.WriteLine);

        await run.SetUpAsync();
        output.WriteLine($"set up in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.0} s");
        await run.LoadAsync();
        output.WriteLine($"load stopped after {run.LoadTime.TotalSeconds:0.0} s");
        await run.SettleAsync();
        await run.VerifyAsync();

        var tally = run.Tally;
        output.WriteLine(Summary(run, settings, TimeProvider.System.GetElapsedTime(started)));
        Assert.True(tally.ViolationCount == 0, $"{tally.ViolationCount} violations:\n" + string.Join('\n', tally.Details));

        // The run must have exercised what it claims to check.
        Assert.True(tally.Sum("revocations.performed.") > 0, "no revocation was performed");
        Assert.True(tally.Sum("events.revoked.") > 0, "no revocation was observed");
        Assert.True(tally["admissions.outcome." + AdmissionRecord.Admitted] > 0, "no admission was granted");
        Assert.True(tally["admissions.outcome." + ProblemSlugs.KeyRevoked] > 0, "no admission was refused key-revoked");
        Assert.True(tally["kms.Decrypt." + KmsErrors.Throttling] + tally["kms.Decrypt." + KmsErrors.Internal] > 0, "no fault was injected");
        Assert.True(tally["restore.final.items"] > 0, "nothing was restored at the end");
        Assert.Equal(run.Tenants.Count(t => t.Group == SoakGroup.LeftRevoked), tally["restore.final.refused-" + ProblemSlugs.KeyRevoked]);
    }

    /// <summary>
    /// DESIGN §4 rule 4, found while building the soak: a revoked tenant whose recheck meets a
    /// throttling KMS waits a recheck interval before asking again — it does not call KMS on every
    /// batch for as long as KMS fails (which is when KMS can least afford it).
    /// </summary>
    [Fact]
    public async Task Admit_RevokedTenantWhileKmsThrottles_AtMostOneKmsCallPerRecheckInterval()
    {
        await using var c = await SqliteCluster.StartAsync(_database.Path);
        const string Tenant = "soak-recheck-throttled";
        var key = await CustomerKeys.CreateCustomerKeyAsync(c, Tenant);
        await CustomerKeys.EnableEkmAsync(c, Tenant, key);
        var grain = c.Grains.GetGrain<IKeyGrain>(Tenant);
        using (var customer = c.ClientFor(LocalKmsAccounts.CustomerAAccountId))
        {
            await customer.DisableKeyAsync(new DisableKeyRequest { KeyId = key });
        }

        Assert.Equal(ProblemSlugs.KeyRevoked, (await Assert.ThrowsAsync<EkmProblemException>(() => grain.AdmitAsync(new AdmissionRequest("s", "first")))).Slug);
        c.Kms.Faults.Add(new FaultRule { Operation = "Decrypt", KeyId = key, ThrottleRate = 1 });
        c.Time.Advance(new KeyOptions().RevokedRecheckInterval);
        c.Kms.Counters.Reset();

        var outcomes = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            outcomes.Add((await Assert.ThrowsAsync<EkmProblemException>(() => grain.AdmitAsync(new AdmissionRequest("s", $"op-{i}")))).Slug);
        }

        // The recheck's call (and the SDK's one retry) meets the throttling; the rest of the interval fails fast.
        Assert.InRange(c.Kms.Counters.Count("Decrypt", key), 1, 2);
        Assert.Equal(ProblemSlugs.KmsUnavailable, outcomes[0]);
        Assert.All(outcomes.Skip(1), o => Assert.Equal(ProblemSlugs.KeyRevoked, o));
        Assert.Equal(KeyHealthStatus.Revoked, (await grain.GetStatusAsync()).Health.Status);
    }

    public void Dispose() => _database.Dispose();

    /// <summary>One block with every figure the soak checked.</summary>
    private static string Summary(SoakRun run, SoakSettings settings, TimeSpan total)
    {
        var t = run.Tally;
        var s = new StringBuilder();
        void Line(string text) => s.Append(text).Append('\n');
        string List(string prefix) => string.Join(", ", t.Under(prefix).Select(p => $"{p.Name} {p.Count}"));

        Line("==== EKM soak summary ====");
        Line($"seed {settings.Seed}; load {run.LoadTime.TotalSeconds:0.0} s (asked {settings.Duration.TotalSeconds:0} s); whole test {total.TotalSeconds:0.0} s; silos' clock moved {run.ClockMoved.TotalSeconds:0} s");
        Line($"tenants {run.Tenants.Count}: " + string.Join(", ", run.Tenants.GroupBy(x => x.Group).Select(g => $"{g.Key} {g.Count()}")));
        Line($"jobs {t.Sum("job.")}, operations completed {t["jobs.operations"]}, waits for a job re-asked after an Orleans call timeout {t["jobs.waits-timed-out"]}");
        foreach (var kind in t.Under("job.").Select(p => p.Name.Split('.')[0]).Distinct())
        {
            Line($"  {kind}: {List($"job.{kind}.")}");
        }

        Line($"admissions {t["admissions.requested"]}: {List("admissions.outcome.")}; answered in {List("admissions.latency.")}");
        Line($"  decided while surely revoked {t["admissions.decided-during-revocation"]}; granted around a revoking call (in flight) {t["admissions.in-flight"]}");
        Line($"jobs started and ended while surely revoked {t["jobs.started-and-ended-while-revoked"]}; running at a revocation and ended before the restore {t["jobs.cut-by-revocation"]}, of which finished their in-flight operation {t["jobs.in-flight-operation-finished"]}");
        Line($"revocations performed {t.Sum("revocations.performed.")} ({List("revocations.performed.")}); observed (revoked events) {t.Sum("events.revoked.")} ({List("events.revoked.")}); recovered events {t["events.recovered"]}, of which while the key was still revoked {t["events.recovered-while-revoked"]}");
        Line($"faults injected on Decrypt: throttling {t["kms.Decrypt." + KmsErrors.Throttling]}, 5xx {t["kms.Decrypt." + KmsErrors.Internal]}, 15 ms latency {t["faults.delayed"]}, held past the client's timeout {t["faults.slow"]}; weather changes {List("faults.weather.")}");
        Line($"KMS calls {t.Sum("kms.")}: Decrypt {List("kms.Decrypt.")}");
        Line($"  other: " + string.Join(", ", t.Under("kms.").Where(p => !p.Name.StartsWith("Decrypt.", StringComparison.Ordinal)).Select(p => $"{p.Name} {p.Count}")));
        Line($"  Decrypt calls while a tenant was held revoked {t["budget.calls"]} in {t["budget.windows"]} windows (budget {t["budget.allowed"]})");
        Line($"restored and verified byte for byte: during load {t["restore.load.items"]} items / {Mb(t["restore.load.bytes"])}; at the end {t["restore.final.items"]} items / {Mb(t["restore.final.bytes"])} in {t["restore.final.jobs"]} restore jobs");
        Line($"final phase: probes, admissions and restores repeated after kms-unavailable {t["final.retried-after-kms-unavailable"]}");
        Line($"left revoked: final restores {List("restore.final.refused-")}; legal hold downloads {List("restore.final.legal-hold-")}");
        Line($"violations {t.ViolationCount}" + (t.ViolationCount == 0 ? "" : ": " + List("violation.")));
        foreach (var detail in t.Details)
        {
            Line("  " + detail);
        }

        Line("==========================");
        return s.ToString();
    }

    private static string Mb(long bytes) => (bytes / 1024d / 1024d).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";
}
