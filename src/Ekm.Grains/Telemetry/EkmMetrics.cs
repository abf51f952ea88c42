using System.Diagnostics.Metrics;

namespace Ekm.Grains.Telemetry;

/// <summary>The <c>Ekm</c> meter: the service's own counters, exported next to the Orleans ones.</summary>
public sealed class EkmMetrics
{
    public const string MeterName = "Ekm";

    private readonly Counter<long> _availabilityChanges;
    private readonly Counter<long> _revocations;
    private readonly Counter<long> _admissions;

    public EkmMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _availabilityChanges = meter.CreateCounter<long>(
            "ekm.availability.changes",
            unit: "{change}",
            description: "Enterprise Key Management availability changes made by support, by new value.");
        _revocations = meter.CreateCounter<long>(
            "ekm.revocations",
            unit: "{revocation}",
            description: "Tenants found revoked (their key refuses the vendor), by reason.");
        _admissions = meter.CreateCounter<long>(
            "ekm.admissions",
            unit: "{admission}",
            description: "Operation admissions by the KeyGrain, by outcome (admitted or the refusal slug).");
    }

    public void Admitted(int count) => _admissions.Add(count, new KeyValuePair<string, object?>("outcome", "admitted"));

    public void Refused(int count, string reason) => _admissions.Add(count, new KeyValuePair<string, object?>("outcome", reason));

    public void Revoked(string reason) => _revocations.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void AvailabilityChanged(bool activated) =>
        _availabilityChanges.Add(1, new KeyValuePair<string, object?>("activated", activated));
}
