using System.Collections.Concurrent;

namespace Ekm.LocalKms.Faults;

/// <summary>Calls per operation, key and outcome (<c>Success</c> or the error code), for tests and benchmarks.</summary>
public sealed class CallCounters
{
    private readonly ConcurrentDictionary<(string Operation, string? KeyArn, string Outcome), long> _counts = new();

    public void Record(string operation, string? keyArn, string outcome) =>
        _counts.AddOrUpdate((operation, keyArn, outcome), 1, (_, n) => n + 1);

    /// <summary>Sum over what matches; null arguments match everything.</summary>
    public long Count(string? operation = null, string? keyArn = null, string? outcome = null) =>
        _counts.Where(p => (operation is null || p.Key.Operation == operation)
                && (keyArn is null || p.Key.KeyArn == keyArn)
                && (outcome is null || p.Key.Outcome == outcome))
            .Sum(p => p.Value);

    public IReadOnlyList<CallCount> Snapshot() =>
        _counts.Select(p => new CallCount(p.Key.Operation, p.Key.KeyArn, p.Key.Outcome, p.Value)).ToList();

    public void Reset() => _counts.Clear();
}

public sealed record CallCount(string Operation, string? KeyArn, string Outcome, long Count);
