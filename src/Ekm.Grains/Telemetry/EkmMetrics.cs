using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Ekm.Jobs;
using Ekm.Keys;

namespace Ekm.Grains.Telemetry;

/// <summary>
/// The <c>Ekm</c> meter and activity source: the service's own counters, exported next to the
/// Orleans ones, and the spans that join an HTTP request, its grain calls and their KMS calls.
/// Tags carry operations, outcomes (problem slugs), job kinds and tenants' health — never key
/// material, and never tenant ids on metrics (unbounded cardinality).
/// </summary>
public sealed class EkmMetrics
{
    public const string MeterName = "Ekm";

    /// <summary>Spans of KMS calls and job operations.</summary>
    public static readonly ActivitySource Traces = new(MeterName);

    /// <summary>
    /// One meter per process, not one per host: exporters match meters by name, and of two
    /// same-named meters in one process (hosts in tests) each exporter would export only the
    /// instruments registered first and miss the other host's measurements. In production a
    /// process is one silo, so nothing is shared that should not be.
    /// </summary>
    private static readonly Meter SharedMeter = new(MeterName);

    private static readonly Counter<long> AvailabilityChanges = SharedMeter.CreateCounter<long>(
        "ekm.availability.changes",
        unit: "{change}",
        description: "Enterprise Key Management availability changes made by support, by new value.");

    private static readonly Counter<long> Revocations = SharedMeter.CreateCounter<long>(
        "ekm.revocations",
        unit: "{revocation}",
        description: "Tenants found revoked (their key refuses the vendor), by reason.");

    private static readonly Counter<long> Admissions = SharedMeter.CreateCounter<long>(
        "ekm.admissions",
        unit: "{admission}",
        description: "Operation admissions by the KeyGrain, by outcome (admitted or the refusal slug).");

    private static readonly Counter<long> KmsCalls = SharedMeter.CreateCounter<long>(
        "ekm.kms.calls",
        unit: "{call}",
        description: "AWS KMS calls by operation and outcome (ok or the problem slug), SDK retries included in one call.");

    private static readonly Histogram<double> KmsDuration = SharedMeter.CreateHistogram(
        "ekm.kms.call.duration",
        unit: "s",
        description: "AWS KMS call latency by operation and outcome, SDK retries included.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    private static readonly Counter<long> Jobs = SharedMeter.CreateCounter<long>(
        "ekm.jobs",
        unit: "{job}",
        description: "Finished jobs by kind, outcome and failure reason (the problem slug).");

    /// <summary>The key health of every EKM tenant whose KeyGrain is active in this process.</summary>
    private static readonly ConcurrentDictionary<string, KeyHealthStatus> Tenants = new(StringComparer.Ordinal);

    private static readonly ObservableGauge<long> TenantsGauge = SharedMeter.CreateObservableGauge(
        "ekm.tenants",
        ObserveTenants,
        unit: "{tenant}",
        description: "Tenants on Enterprise Key Management by key health, counted by the process their KeyGrain is active in.");

#pragma warning disable CA1822 // Instance methods: grains and the KMS client take the metrics by injection.
    public void Admitted(int count) => Admissions.Add(count, new KeyValuePair<string, object?>("outcome", "admitted"));

    public void Refused(int count, string reason) => Admissions.Add(count, new KeyValuePair<string, object?>("outcome", reason));

    public void Revoked(string reason) => Revocations.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void AvailabilityChanged(bool activated) =>
        AvailabilityChanges.Add(1, new KeyValuePair<string, object?>("activated", activated));

    public void KmsCall(string operation, string outcome, TimeSpan elapsed)
    {
        var tags = new TagList { { "operation", operation }, { "outcome", outcome } };
        KmsCalls.Add(1, tags);
        KmsDuration.Record(elapsed.TotalSeconds, tags);
    }

    public void JobFinished(JobKind kind, JobState outcome, string? reason) =>
        Jobs.Add(1, new TagList { { "kind", kind.ToString() }, { "outcome", outcome.ToString() }, { "reason", reason ?? "" } });
#pragma warning restore CA1822

    /// <summary>A KeyGrain's tenant and health as it now stands; <see langword="null"/> when not on EKM or deactivated.</summary>
    public static void TenantHealth(string tenantId, KeyHealthStatus? health)
    {
        if (health is { } h)
        {
            Tenants[tenantId] = h;
        }
        else
        {
            Tenants.TryRemove(tenantId, out _);
        }
    }

    private static IEnumerable<Measurement<long>> ObserveTenants() =>
        Enum.GetValues<KeyHealthStatus>().Select(status => new Measurement<long>(
            Tenants.Count(t => t.Value == status), new KeyValuePair<string, object?>("health", status.ToString())));
}
