using System.Collections.Concurrent;
using System.Diagnostics;
using Ekm.Jobs;
using Ekm.Keys;
using Ekm.Problems;

namespace Ekm.Grains.Tests;

/// <summary>The soak's three kinds of tenant.</summary>
internal enum SoakGroup
{
    /// <summary>The customer revokes and restores the key at random; the key is usable at the end.</summary>
    RevokedAndRestored,

    /// <summary>Only KMS faults (throttling, 5xx, latency, timeouts): the key is never revoked.</summary>
    TransientOnly,

    /// <summary>Revoked and restored at random like the first group, and left revoked at the end.</summary>
    LeftRevoked,
}

/// <summary>The ways a customer cuts the vendor off in the soak, each undone its own way.</summary>
internal enum SoakRevocation
{
    DisableKey,
    ScheduleDeletion,
    RemoveVendorFromPolicy,
}

/// <summary>
/// One tenant of the soak and everything observed about it. Timestamps are
/// <see cref="Stopwatch"/> ticks, taken by the test around each call; the periods are written by
/// the tenant's revocation driver alone and read only once the load has stopped.
/// </summary>
internal sealed class SoakTenant(int index, string id, SoakGroup group, string keyArn, IKeyGrain grain)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Product, SortedSet<string>> _backedUp = [];

    public int Index => index;

    public string Id => id;

    public SoakGroup Group => group;

    public string KeyArn => keyArn;

    public IKeyGrain Grain => grain;

    public bool UsableAtEnd => group != SoakGroup.LeftRevoked;

    public int EpochAtStart { get; set; }

    public List<RevocationPeriod> Periods { get; } = [];

    public ConcurrentQueue<AdmissionRecord> Admissions { get; } = new();

    public ConcurrentQueue<JobRecord> Jobs { get; } = new();

    /// <summary>Jobs started and not yet seen finished: the driver reads their progress right after a revocation.</summary>
    public ConcurrentDictionary<string, JobRecord> Running { get; } = new();

    /// <summary>When the local KMS received each Decrypt of this tenant's key (the vendor's admissions and probes).</summary>
    public ConcurrentQueue<long> DecryptCalls { get; } = new();

    public KeyHealth? FinalHealth { get; set; }

    public TenantKeyStatus? FinalStatus { get; set; }

    public AuditLog? Audit { get; set; }

    public void RecordDecrypt() => DecryptCalls.Enqueue(Stopwatch.GetTimestamp());

    public void AddBackedUp(Product product, IEnumerable<string> containers)
    {
        lock (_gate)
        {
            if (!_backedUp.TryGetValue(product, out var set))
            {
                _backedUp[product] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            set.UnionWith(containers);
        }
    }

    public IReadOnlyList<string> BackedUp(Product product)
    {
        lock (_gate)
        {
            return _backedUp.TryGetValue(product, out var set) ? [.. set] : [];
        }
    }
}

/// <summary>One revocation by the customer, from the revoking call to the end of the restoring call(s).</summary>
internal sealed class RevocationPeriod(SoakRevocation how)
{
    public SoakRevocation How => how;

    public long RevokeStart { get; set; }

    public long RevokeReturned { get; set; }

    /// <summary>When the restoring call started; <see cref="long.MaxValue"/> while (or if) the key stays revoked.</summary>
    public long RestoreStart { get; set; } = long.MaxValue;

    public long RestoreReturned { get; set; } = long.MaxValue;

    /// <summary>The silos' clock at the same moments (it drives rechecks, probes and event timestamps).</summary>
    public DateTimeOffset FakeRevokeStart { get; set; }

    public DateTimeOffset FakeRevokeReturned { get; set; }

    public DateTimeOffset? FakeRestoreStart { get; set; }

    public DateTimeOffset? FakeRestoreReturned { get; set; }

    /// <summary>Jobs running when the revocation returned, with the operations they had completed then.</summary>
    public List<(JobRecord Job, int Done)> RunningAtRevocation { get; } = [];

    /// <summary>What KMS may answer while this revocation is in force: a cancelled deletion leaves the key disabled until it is enabled.</summary>
    public IReadOnlyList<string> Reasons => how switch
    {
        SoakRevocation.DisableKey => [ProblemSlugs.KeyDisabled],
        SoakRevocation.ScheduleDeletion => [ProblemSlugs.KeyPendingDeletion, ProblemSlugs.KeyDisabled],
        _ => [ProblemSlugs.KeyAccessDenied],
    };

    /// <summary>The key was unusable from the moment the revoking call returned to the moment the restoring call started.</summary>
    public bool SurelyRevoked(long from, long to) => from > RevokeReturned && to < RestoreStart;
}

/// <summary>One direct admission: requested and answered (Stopwatch ticks), and how (<see cref="Admitted"/> or a problem slug).</summary>
internal readonly record struct AdmissionRecord(long RequestedAt, long AnsweredAt, string Outcome)
{
    public const string Admitted = "admitted";
}

/// <summary>One job of the soak: started and seen finished (Stopwatch ticks) and its final status.</summary>
internal sealed class JobRecord(string jobId, JobSpec spec)
{
    public string JobId => jobId;

    public JobSpec Spec => spec;

    public long StartedAt { get; set; }

    public long FinishedAt { get; set; } = long.MaxValue;

    public JobStatus? Final { get; set; }

    /// <summary>The slug of a refusal at start (e.g. nothing backed up yet for a restore).</summary>
    public string? RefusedAtStart { get; set; }

    /// <summary>An unexpected exception from the job grain.</summary>
    public string? Error { get; set; }

    public string Outcome =>
        Error is not null ? "error"
        : RefusedAtStart is not null ? "refused " + RefusedAtStart
        : Final is null ? "unknown"
        : Final.State == JobState.Failed ? "failed " + Final.FailureSlug
        : Final.State.ToString().ToLowerInvariant();
}

/// <summary>Named counters and the violations found; safe to add to from any task.</summary>
internal sealed class SoakTally
{
    private const int DetailsKept = 40;

    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _details = new();

    public long this[string name] => _counts.GetValueOrDefault(name);

    public long ViolationCount => Sum("violation.");

    /// <summary>The first violations found, for the report and the assertion message.</summary>
    public IReadOnlyList<string> Details => [.. _details];

    public void Add(string name, long n = 1) => _counts.AddOrUpdate(name, n, (_, v) => v + n);

    public void Violation(string kind, string detail)
    {
        Add("violation." + kind);
        if (_details.Count < DetailsKept)
        {
            _details.Enqueue($"{kind}: {detail}");
        }
    }

    public long Sum(string prefix) => _counts.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(p => p.Value);

    /// <summary>The counters under <paramref name="prefix"/>, without it, in name order.</summary>
    public IReadOnlyList<(string Name, long Count)> Under(string prefix) =>
        [.. _counts.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(p => (p.Key[prefix.Length..], p.Value))
            .OrderBy(p => p.Item1, StringComparer.Ordinal)];
}
