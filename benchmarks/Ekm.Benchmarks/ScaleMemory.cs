using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Security.Cryptography;
using Ekm.Keys;

namespace Ekm.Benchmarks;

/// <summary>
/// Memory per idle tenant KeyGrain, in the embedded host (<see cref="BenchHost"/>) in this process,
/// on grain stores a child process filled (<see cref="ScaleSeed"/>): N KeyGrains are activated from
/// storage with <c>GetStatusAsync</c> (which writes nothing) and left idle. Per grain = growth of the
/// live GC heap (after full blocking compacting collections) and of the process working set, ÷ N.
/// </summary>
internal static class ScaleMemory
{
    private const int InFlight = 256;

    /// <summary>A tenant id shaped like a Microsoft 365 / Entra tenant id (a GUID, 36 characters).</summary>
    public static string TenantOf(string kind, int i) =>
        string.Create(CultureInfo.InvariantCulture, $"{i:x8}-0000-4000-8000-{(uint)kind.GetHashCode(StringComparison.Ordinal):x12}");

    public sealed record Snapshot(long Heap, long WorkingSet, Dictionary<string, int> Activations)
    {
        public int KeyGrains => Activations.GetValueOrDefault("KeyGrain");
    }

    /// <summary>Growth from <c>Before</c> to <c>After</c> over <c>Grains</c> new KeyGrain activations; no working set when it is not meaningful.</summary>
    public sealed record Row(string What, int Grains, Snapshot Before, Snapshot After, TimeSpan Activation, bool WorkingSetMeaningful = true)
    {
        /// <summary>How the first column shows the count, e.g. "90,000 more (10,000 → 100,000)".</summary>
        public string Label { get; init; } = Grains.ToString("N0", CultureInfo.InvariantCulture);

        public double HeapPerGrain => (After.Heap - Before.Heap) / (double)Grains;

        public double WorkingSetPerGrain => (After.WorkingSet - Before.WorkingSet) / (double)Grains;

        public double ActivationsPerSecond => Grains / Activation.TotalSeconds;
    }

    /// <summary>The rows, and how long the two measuring hosts took to start (the second wakes every EKM tenant).</summary>
    public sealed record Result(IReadOnlyList<Row> Rows, TimeSpan CkmHostStartup, TimeSpan EkmHostStartup, int EkmTenants);

    public static (string Key, string Value)[] HostSettings(string database) =>
    [
        ("ConnectionStrings:EkmStorage", $"Data Source={database};Pooling=True"),
        // The health probe would otherwise wake every EKM tenant each minute, mid-measurement.
        ("Ekm:Keys:HealthCheckPeriod", "01:00:00"),
    ];

    public static async Task<Result> MeasureAsync(string folder, int[] counts, int ekmTenants)
    {
        var rows = new List<Row>();
        TimeSpan ckmStartup;
        await using (var host = await StartHostAsync(HostSettings(ScaleSeed.CkmDatabase(folder))))
        {
            ckmStartup = host.StartupTime;
            var grains = host.Grains;
            var management = grains.GetGrain<IManagementGrain>(0);
            var baseline = await TakeAsync(management, "measuring host started on the CKM grain store");
            var ckm = Enumerable.Range(0, counts.Max()).Select(i => TenantOf("ckm", i)).ToArray();

            // Cumulative: 10,000 first, then up to 100,000, each against the same baseline.
            var previous = 0;
            var activating = TimeSpan.Zero;
            var last = baseline;
            foreach (var count in counts.Order())
            {
                var step = await ForEachAsync(ckm[previous..count], t => grains.GetGrain<IKeyGrain>(t).GetStatusAsync());
                activating += step;
                var now = await TakeAsync(management, $"{count:N0} CKM KeyGrains activated from storage");
                rows.Add(new Row("CKM tenant with stored state (availability set)", count, baseline, now, activating));
                if (previous > 0)
                {
                    // Without the first activations' one-time growth (pools, dictionaries, caches sized up).
                    rows.Add(new Row("CKM tenant with stored state, marginal", count - previous, last, now, step)
                    {
                        Label = string.Create(CultureInfo.InvariantCulture, $"{count - previous:N0} more ({previous:N0} → {count:N0})"),
                    });
                }

                previous = count;
                last = now;
            }

            var fresh = Enumerable.Range(0, Math.Min(10_000, counts.Max())).Select(i => TenantOf("new", i)).ToArray();
            var freshActivation = await ForEachAsync(fresh, t => grains.GetGrain<IKeyGrain>(t).GetStatusAsync());
            var afterFresh = await TakeAsync(management, $"+ {fresh.Length:N0} KeyGrains of tenants never seen (no stored rows)");
            rows.Add(new Row("tenant never seen (no stored rows; GetStatusAsync reads two empty rows)", fresh.Length, last, afterFresh, freshActivation));
        }

        var ekmStartup = TimeSpan.Zero;
        if (ekmTenants > 0)
        {
            // The host wakes every EKM tenant at start (WakeEkmTenants), so these are measured by
            // deactivating them and activating them again from storage.
            await using var host = await StartHostAsync(HostSettings(ScaleSeed.EkmDatabase(folder)));
            ekmStartup = host.StartupTime;
            var grains = host.Grains;
            var management = grains.GetGrain<IManagementGrain>(0);
            var woken = await TakeAsync(management, $"measuring host started on the EKM grain store (woke {ekmTenants:N0} EKM tenants)");
            var idle = woken;
            var collection = Stopwatch.StartNew();
            while (idle.KeyGrains > 0 && collection.Elapsed < TimeSpan.FromSeconds(60))
            {
                await management.ForceActivationCollection(TimeSpan.Zero);
                await Task.Delay(500);
                idle = await MeasureNowAsync(management);
            }

            var before = await TakeAsync(management, "every EKM KeyGrain deactivated");
            var ekm = Enumerable.Range(0, ekmTenants).Select(i => TenantOf("ekm", i)).ToArray();
            var activation = await ForEachAsync(ekm, t => grains.GetGrain<IKeyGrain>(t).GetStatusAsync());
            var after = await TakeAsync(management, $"{ekmTenants:N0} EKM KeyGrains activated again from storage");
            rows.Add(new Row("EKM tenant, enabled, woken by the host at start (vs the same host once they were deactivated)", ekmTenants, before, woken, TimeSpan.Zero, WorkingSetMeaningful: false));
            rows.Add(new Row("EKM tenant, enabled (wrapped key, terms, history, rotation; reminder registered), activated again from storage", ekmTenants, before, after, activation, WorkingSetMeaningful: false));
        }

        return new Result(rows, ckmStartup, ekmStartup, ekmTenants);
    }

    /// <summary>
    /// <see cref="BenchHost.StartAsync"/> with one (unusable, random-hash) API key, which the host
    /// requires when the development key is off, and without its startup banner on the console (it
    /// lists the local KMS secrets; this output goes to the docs).
    /// </summary>
    public static async Task<BenchHost> StartHostAsync(params (string Key, string Value)[] settings)
    {
        var console = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            return await BenchHost.StartAsync([
                ("Ekm:Auth:ApiKeys:0:Name", "benchmarks"),
                ("Ekm:Auth:ApiKeys:0:Sha256", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))),
                ("Ekm:Auth:ApiKeys:0:Roles:0", "Operator"),
                .. settings]);
        }
        finally
        {
            Console.SetOut(console);
        }
    }

    /// <summary>Measures now and prints one progress line.</summary>
    public static async Task<Snapshot> TakeAsync(IManagementGrain management, string what)
    {
        var snapshot = await MeasureNowAsync(management);
        Console.WriteLine($"    {what,-72} heap {DataPathReport.Bytes(snapshot.Heap),10}  working set {DataPathReport.Bytes(snapshot.WorkingSet),10}  KeyGrains {snapshot.KeyGrains,7:N0}  activations {snapshot.Activations.Values.Sum(),7:N0}");
        return snapshot;
    }

    public static async Task<Snapshot> MeasureNowAsync(IManagementGrain management)
    {
        // Let in-flight completions, timers and finalizers settle, then collect until the heap is stable.
        await Task.Delay(250);
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        var statistics = await management.GetSimpleGrainStatistics();
        var activations = statistics.GroupBy(s => ShortName(s.GrainType)).ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount));
        return new Snapshot(heap, process.WorkingSet64, activations);
    }

    /// <summary>"Ekm.Grains.Keys.KeyGrain,Ekm.Grains" → "KeyGrain".</summary>
    public static string ShortName(string grainType) => grainType.Split(',')[0].Split('.')[^1];

    private static async Task<TimeSpan> ForEachAsync(string[] tenants, Func<string, Task> call)
    {
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(tenants, new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (t, _) => await call(t));
        return clock.Elapsed;
    }
}
