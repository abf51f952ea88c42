using Ekm.LocalKms.Protocol;

namespace Ekm.LocalKms.Faults;

/// <summary>
/// Faults for tests and benchmarks, outside the KMS protocol: added latency, throttling and
/// internal errors, per operation and per key, drawn from a seeded generator so a run repeats.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private readonly List<FaultRule> _rules = [];
    private Random _random = new(1);

    public void Add(FaultRule rule)
    {
        lock (_gate)
        {
            _rules.Add(rule);
        }
    }

    public void Clear(int? seed = null)
    {
        lock (_gate)
        {
            _rules.Clear();
            if (seed is { } s)
            {
                _random = new Random(s);
            }
        }
    }

    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            lock (_gate)
            {
                return [.. _rules];
            }
        }
    }

    /// <summary>
    /// Throws the fault a matching rule draws; returns the latency to add to the call, if any.
    /// Without a key it draws the rules for any key (once at the start of every call, so they reach
    /// calls such as CreateKey and ListKeys that name no key); with a key, the rules naming that key.
    /// Either way a rule is drawn once per call, so its rate is the rate callers see.
    /// </summary>
    public TimeSpan? Before(string operation, string? keyId)
    {
        TimeSpan? latency = null;
        List<Action> signals = [];
        lock (_gate)
        {
            foreach (var rule in _rules.Where(r => (r.KeyId is null) == (keyId is null) && r.Matches(operation, keyId)))
            {
                if (rule.OnMatch is { } signal)
                {
                    signals.Add(signal);
                }

                if (rule.Latency > TimeSpan.Zero)
                {
                    latency = (latency ?? TimeSpan.Zero) + rule.Latency;
                }

                if (rule.ThrottleRate > 0 && _random.NextDouble() < rule.ThrottleRate)
                {
                    throw new KmsException(KmsErrors.Throttling, "Rate exceeded");
                }

                if (rule.InternalErrorRate > 0 && _random.NextDouble() < rule.InternalErrorRate)
                {
                    throw new KmsException(KmsErrors.Internal, "An internal error occurred (injected).", 500);
                }
            }
        }

        signals.ForEach(signal => signal());
        return latency;
    }
}

/// <summary>
/// One fault: which calls it matches (null = any operation / any key) and what it does to them.
/// Rates are probabilities per matching call, 0 to 1.
/// </summary>
public sealed record FaultRule
{
    public string? Operation { get; init; }

    public string? KeyId { get; init; }

    public TimeSpan Latency { get; init; }

    public double ThrottleRate { get; init; }

    public double InternalErrorRate { get; init; }

    /// <summary>
    /// Called whenever the rule matches a call, with the engine's lock held: it must only signal
    /// (set a TaskCompletionSource), never block. With <see cref="Latency"/> it lets a test act
    /// while that call's answer is held back.
    /// </summary>
    public Action? OnMatch { get; init; }

    public bool Matches(string operation, string? keyId) =>
        (Operation is null || Operation == operation)
        && (KeyId is null || (keyId is not null && (KeyId == keyId || KeyId.EndsWith("/" + keyId, StringComparison.Ordinal))));
}
