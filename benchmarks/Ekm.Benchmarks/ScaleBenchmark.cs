using System.Diagnostics;
using System.Globalization;

namespace Ekm.Benchmarks;

/// <summary>
/// <c>scale [--tenants 10000,100000] [--ekm 1000] [--starts 5] [--inproc 2]</c>: memory per idle
/// tenant KeyGrain (<see cref="ScaleSeed"/> fills the grain stores in a child process,
/// <see cref="ScaleMemory"/> measures) and embedded host start to ready, as a child process
/// (<see cref="ScaleStartup"/>) and in process (<see cref="BenchHost.StartupTime"/>).
/// <c>--tenants ""</c> or <c>--starts 0</c> skips a part.
/// </summary>
internal static class ScaleBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine("usage: Ekm.Benchmarks scale [--tenants 10000,100000] [--ekm 1000] [--starts 5] [--inproc 2]");
            Console.WriteLine("  --tenants  KeyGrain counts to measure memory at (cumulative, one host); \"\" to skip the memory part");
            Console.WriteLine("  --ekm      tenants fully enabled on EKM, measured in a host of their own");
            Console.WriteLine("  --starts   cold + warm starts of the Ekm.Host binary as a child process (0 to skip)");
            Console.WriteLine("  --inproc   more in-process BenchHost starts after the memory part, JIT warm (0 to skip)");
            return 0;
        }

        var tenants = Option(args, "tenants", "10000,100000").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var ekm = int.Parse(Option(args, "ekm", "1000"), CultureInfo.InvariantCulture);
        if (Option(args, "seed", "") is { Length: > 0 } seedFolder)
        {
            return await ScaleSeed.RunAsync(seedFolder, tenants.Max(), ekm);
        }

        var starts = int.Parse(Option(args, "starts", "5"), CultureInfo.InvariantCulture);
        var inProcess = int.Parse(Option(args, "inproc", "2"), CultureInfo.InvariantCulture);

        var clock = Stopwatch.StartNew();
        BenchKeyReport.PrintHeader("Scale: memory per idle tenant KeyGrain, host start to ready (issue 8, item 5)");

        IReadOnlyList<ScaleStartup.Start> childStarts = [];
        ScaleStartup.Phases? phases = null;
        if (starts > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"Host starts: dotnet {ScaleStartup.HostDll}, DOTNET_ENVIRONMENT=Development, a fresh temp --Ekm:DataDirectory on {DataPathReport.FileSystemOf(Path.GetTempPath())}, free ports:");
            childStarts = await ScaleStartup.MeasureAsync(starts);
            phases = await ScaleStartup.MeasurePhasesAsync();
        }

        ScaleSeed.Result? seeding = null;
        ScaleMemory.Result? memory = null;
        if (tenants.Length > 0)
        {
            // The grain stores on tmpfs: what is measured is memory, and seeding 100k tenants through
            // SQLite on this disk (an fsync per write, two writes per tenant) would take most of the
            // time budget. Activation reads the same rows either way.
            var folder = Directory.CreateDirectory(Path.Combine("/dev/shm", $"ekm-bench-scale-{Environment.ProcessId}")).FullName;
            try
            {
                Console.WriteLine();
                Console.WriteLine("Memory (each line after full blocking compacting collections):");
                seeding = await ScaleSeed.InChildAsync(folder, tenants.Max(), ekm);
                Console.WriteLine($"  measuring (this process {Environment.ProcessId}):");
                memory = await ScaleMemory.MeasureAsync(folder, tenants, ekm);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        var warmStarts = new List<TimeSpan>();
        for (var i = 0; i < inProcess; i++)
        {
            await using var host = await ScaleMemory.StartHostAsync();
            warmStarts.Add(host.StartupTime);
        }

        if (memory is not null && seeding is not null)
        {
            PrintMemory(memory, seeding);
        }

        PrintStarts(childStarts, phases, memory, warmStarts);
        BenchKeyReport.PrintFooter(clock.Elapsed);
        return 0;
    }

    private static void PrintMemory(ScaleMemory.Result result, ScaleSeed.Result seeding)
    {
        Console.WriteLine();
        Console.WriteLine("## Memory per idle tenant KeyGrain, for docs/benchmarks.md");
        Console.WriteLine();
        Console.WriteLine("One silo in this process (BenchHost: the embedded host's composition), SQLite grain store on tmpfs, local KMS in memory, server GC. " +
            "A child process gave the tenants their state through the grains; this process, which never held that garbage, activates their KeyGrains from storage with GetStatusAsync (which writes nothing) and leaves them idle. " +
            "Heap = GC.GetTotalMemory after three full blocking compacting collections; working set = process RSS.");
        Console.WriteLine();
        Console.WriteLine("| KeyGrains activated | tenant | heap growth | heap per grain | working set growth | working set per grain | activations/s |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|");
        foreach (var row in result.Rows)
        {
            var workingSet = row.WorkingSetMeaningful
                ? $"{DataPathReport.Bytes(row.After.WorkingSet - row.Before.WorkingSet)} | {DataPathReport.Bytes(row.WorkingSetPerGrain)}"
                : "– (re-activation reuses memory already committed) | –";
            var rate = row.Activation > TimeSpan.Zero ? row.ActivationsPerSecond.ToString("N0", CultureInfo.InvariantCulture) : "–";
            Console.WriteLine(
                $"| {row.Label} | {row.What} | {DataPathReport.Bytes(row.After.Heap - row.Before.Heap)} | {DataPathReport.Bytes(row.HeapPerGrain)} | {workingSet} | {rate} |");
        }

        Console.WriteLine();
        Console.WriteLine("Seeding, through the grains (256 calls in flight), in the child process:");
        Console.WriteLine();
        Console.WriteLine("| step | tenants | time | tenants/s |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var phase in seeding.Phases)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {phase.What} | {phase.Count:N0} | {phase.Elapsed.TotalSeconds:0.0} s | {phase.PerSecond:N0} |"));
        }

        var n = (double)seeding.Tenants;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- seeding host, after {seeding.Tenants:N0} CKM tenants were given state (their KeyGrains active, plus whatever their first key event left): heap +{DataPathReport.Bytes(seeding.Seeded.Heap - seeding.Started.Heap)} = {DataPathReport.Bytes((seeding.Seeded.Heap - seeding.Started.Heap) / n)} per tenant; activations: {Activations(seeding.Seeded)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- same host after every KeyGrain was deactivated ({seeding.Collection.TotalSeconds:0.0} s): heap still +{DataPathReport.Bytes(seeding.Deactivated.Heap - seeding.Started.Heap)} = {DataPathReport.Bytes((seeding.Deactivated.Heap - seeding.Started.Heap) / n)} per tenant; activations: {Activations(seeding.Deactivated)}"));
    }

    private static string Activations(ScaleMemory.Snapshot snapshot) =>
        string.Join(", ", snapshot.Activations.Where(a => a.Value >= 10).OrderByDescending(a => a.Value).Take(6)
            .Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Key} {a.Value:N0}")));

    private static void PrintStarts(IReadOnlyList<ScaleStartup.Start> starts, ScaleStartup.Phases? phases, ScaleMemory.Result? memory, List<TimeSpan> warm)
    {
        Console.WriteLine();
        Console.WriteLine("## Embedded host start to ready, for docs/benchmarks.md");
        Console.WriteLine();
        Console.WriteLine("`dotnet Ekm.Host.dll` as a child process (Development environment: local KMS, development key), from Process.Start to the first 200 of GET /health/ready, polled every 10 ms. " +
            "Cold = fresh data directory (SQLite schema, local KMS database, vendor key and development key created); warm = the next start on the same directory. Both are new processes that JIT the host from scratch. " +
            "In process = BenchHost.StartupTime, from building the host to started (silo active, gateway listening), local KMS in memory.");
        Console.WriteLine();
        Console.WriteLine("| start | runs | min | median | max | Kestrel listening (median) | stop on SIGTERM (median) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var kind in starts.GroupBy(s => s.Kind))
        {
            var ready = kind.Select(s => s.Ready).Order().ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| child process, {kind.Key}, to ready | {ready.Length} | {Ms(ready[0])} | {Ms(Median(ready))} | {Ms(ready[^1])} | {Ms(Median(kind.Select(s => s.Listening)))} | {Ms(Median(kind.Select(s => s.Stop)))} |"));
        }

        if (memory is not null)
        {
            Console.WriteLine($"| in process, first host (JITs the host) | 1 | {Ms(memory.CkmHostStartup)} | | | – | – |");
            if (memory.EkmTenants > 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| in process, second host, waking {memory.EkmTenants:N0} EKM tenants at start | 1 | {Ms(memory.EkmHostStartup)} | | | – | – |"));
            }
        }

        if (warm.Count > 0)
        {
            Console.WriteLine($"| in process, later hosts (JIT warm, empty store) | {warm.Count} | {Ms(warm.Min())} | {Ms(Median(warm))} | {Ms(warm.Max())} | – | – |");
        }

        if (phases is null)
        {
            return;
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Where a cold start's time goes (one more cold start, Orleans lifecycle timings logged): the silo lifecycle begins at {Ms(phases.SiloStarting)} (before it: runtime start, host build, local KMS start), Kestrel listens at {Ms(phases.Start.Listening)}, ready at {Ms(phases.Start.Ready)}."));
        Console.WriteLine();
        Console.WriteLine("| silo lifecycle stage | took |");
        Console.WriteLine("|---|---:|");
        foreach (var (stage, took) in phases.Stages)
        {
            Console.WriteLine($"| {stage} | {Ms(took)} |");
        }

        if (phases.SlowObservers.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"Participants that took 50 ms or more: {string.Join("; ", phases.SlowObservers.OrderByDescending(o => o.Took).Select(o => $"{o.Observer} in {o.Stage} {Ms(o.Took)}"))}.");
        }
    }

    private static TimeSpan Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? TimeSpan.Zero : sorted[sorted.Length / 2];
    }

    private static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture) + " ms";

    private static string Option(string[] args, string name, string fallback)
    {
        var at = Array.IndexOf(args, "--" + name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }
}
