using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Ekm.Problems;

namespace Ekm.Host.Tests;

/// <summary>What an operator's Prometheus and trace backend see (issue 7, item 4).</summary>
public sealed partial class TelemetryTests(HostFixture host) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task Metrics_AfterARevocation_CountItTheRefusingKmsCallsTheRefusedAdmissionAndTheFailedJob()
    {
        using var kms = new CustomerKms(host);
        using var session = await TenantSession.ActivatedAsync(host);
        var key = await session.EnableWithNewKeyAsync(kms);
        await session.RunJobAsync(new { kind = "Backup", product = "EntraId", variant = "manual" });
        using var noc = host.Factory.ClientWith(host.Keys.Operator);
        var before = await noc.GetStringAsync("/metrics");

        await kms.DisableAsync(key);
        var failed = await session.RunJobAsync(new { kind = "Backup", product = "EntraId", variant = "manual" });
        var after = await noc.GetStringAsync("/metrics");

        Assert.Equal(ProblemSlugs.KeyRevoked, failed.GetProperty("failureSlug").GetString());
        // Other test classes share the process's meters, so compare before and after rather than absolute counts.
        (string Family, string[] Labels)[] counted =
        [
            ("ekm_revocations_total", ["reason=\"key-disabled\""]),
            ("ekm_kms_calls_total", ["operation=\"Decrypt\"", "outcome=\"key-disabled\""]),
            ("ekm_admissions_total", ["outcome=\"key-revoked\""]),
            ("ekm_jobs_total", ["kind=\"Backup\"", "outcome=\"Failed\"", "reason=\"key-revoked\""]),
            ("ekm_kms_call_duration_seconds_count", ["operation=\"Decrypt\"", "outcome=\"key-disabled\""]),
        ];
        foreach (var (family, labels) in counted)
        {
            Assert.True(Sample(after, family, labels) >= Sample(before, family, labels) + 1, $"{family}{{{string.Join(',', labels)}}} did not count the revocation");
        }

        Assert.True(Sample(after, "ekm_tenants", "health=\"Revoked\"") >= 1);
        Assert.Contains("ekm_kms_call_duration_seconds_bucket{", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Traces_OneHealthCheckRequest_JoinsTheHttpGrainAndKmsSpansInOneTrace()
    {
        using var kms = new CustomerKms(host);
        using var session = await TenantSession.ActivatedAsync(host);
        await session.EnableWithNewKeyAsync(kms);
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "Ekm" or "System.Net.Http" || s.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || s.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var trace = ActivityTraceId.CreateRandom();

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tenants/{session.Tenant}/ekm/health-check");
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        await Http.OkAsync(await session.Admin.SendAsync(request));

        var mine = spans.Where(s => s.TraceId == trace).ToList();
        Assert.Contains(mine, s => s.Source.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && s.Kind == ActivityKind.Server);
        Assert.Contains(mine, s => s.Source.Name == "Microsoft.Orleans.Application" && s.DisplayName.Contains("KeyGrain", StringComparison.Ordinal));
        var kmsCall = Assert.Single(mine, s => s.Source.Name == "Ekm" && s.DisplayName == "KMS Decrypt");
        Assert.Contains(mine, s => s.Source.Name == "System.Net.Http" && s.ParentSpanId == kmsCall.SpanId);
        Assert.Equal("ok", kmsCall.GetTagItem("ekm.outcome"));
    }

    /// <summary>The sum of a Prometheus family's samples whose labels include all of <paramref name="labels"/>.</summary>
    private static double Sample(string exposition, string family, params string[] labels) =>
        exposition.Split('\n')
            .Select(line => SampleLine().Match(line))
            .Where(m => m.Success && m.Groups["name"].Value == family && labels.All(l => m.Groups["labels"].Value.Contains(l, StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\{(?<labels>[^}]*)\} (?<value>\S+)")]
    private static partial Regex SampleLine();
}
