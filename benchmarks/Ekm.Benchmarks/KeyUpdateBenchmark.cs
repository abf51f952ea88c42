using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Ekm.Grains.Jobs;
using Ekm.Grains.Jobs.Data;
using Ekm.Keys;
using Ekm.LocalKms.Faults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using static Ekm.Benchmarks.BenchKeyReport;

namespace Ekm.Benchmarks;

/// <summary>
/// Issue 8, key update (<c>KeyGrain.UpdateKeyAsync</c>, what <c>PUT /api/tenants/{id}/ekm/key</c>
/// calls). (a) Its cost against the data a tenant has backed up: tenants with 0, 1,000 and 10,000
/// items written into the backup store under leases from <c>AdmitAsync</c>, as a backup job writes
/// them; the design re-wraps only the tenant key (DESIGN §3), so time and KMS calls should be flat
/// and no item file may change. (b) Many tenants updated at once with KMS latency injected on every
/// operation: wall time, updates per second, per-update latency and KMS calls per update.
/// </summary>
internal static class KeyUpdateBenchmark
{
    private static readonly string[] Operations = ["DescribeKey", "GenerateDataKey", "Decrypt", "ReEncrypt", "GetKeyRotationStatus"];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help"))
        {
            Console.WriteLine("key-update [--items 0,1000,10000] [--updates 10] [--volume-latency 0] [--items-per-operation 100] [--item-bytes 1024]");
            Console.WriteLine("           [--tenants 1000] [--latency 5] [--setup-parallelism 16] [--bounded 32]");
            Console.WriteLine("  (a) per item count: one tenant, that many backed-up items, --updates updates one after another at --volume-latency ms");
            Console.WriteLine("  (b) --tenants tenants updated all at once with --latency ms injected on every KMS operation (0 tenants skips it),");
            Console.WriteLine("      then back to their first key at most --bounded at a time (0 skips that round)");
            Console.WriteLine("  --items none skips (a); --min-threads N raises the thread pool's minimum (an experiment: how much blocked threads cost);");
            Console.WriteLine("  --setting key=value (repeatable) adds host configuration, e.g. a PostgreSQL grain store");
            return 0;
        }

        var itemCounts = Option(args, "items", "0,1000,10000") == "none" ? [] : IntList(args, "items", "0,1000,10000");
        var minThreads = int.Parse(Option(args, "min-threads", "0"), CultureInfo.InvariantCulture);
        var updates = int.Parse(Option(args, "updates", "10"), CultureInfo.InvariantCulture);
        var volumeLatency = double.Parse(Option(args, "volume-latency", "0"), CultureInfo.InvariantCulture);
        var itemsPerOperation = int.Parse(Option(args, "items-per-operation", "100"), CultureInfo.InvariantCulture);
        var itemBytes = int.Parse(Option(args, "item-bytes", "1024"), CultureInfo.InvariantCulture);
        var tenants = int.Parse(Option(args, "tenants", "1000"), CultureInfo.InvariantCulture);
        var latency = double.Parse(Option(args, "latency", "5"), CultureInfo.InvariantCulture);
        var parallelism = int.Parse(Option(args, "setup-parallelism", "16"), CultureInfo.InvariantCulture);
        var bounded = int.Parse(Option(args, "bounded", "32"), CultureInfo.InvariantCulture);

        var run = Stopwatch.StartNew();
        PrintHeader("Key update: cost against stored data, and many tenants at once");
        if (minThreads > 0)
        {
            ThreadPool.GetMinThreads(out _, out var io);
            ThreadPool.SetMinThreads(minThreads, io);
            Console.WriteLine($"- experiment: thread pool minimum raised to {minThreads} worker threads (default: one per core)");
        }

        await using var host = await BenchKeyTenants.StartHostAsync(args);
        using var customer = BenchKeyTenants.Customer(host);
        using var flights = BenchLatencyRecorder.KmsCalls();
        using var writes = BenchLatencyRecorder.StorageWrites();
        Console.WriteLine($"- host: embedded (one silo, SQLite grain storage, local KMS over loopback HTTP, backup store on the local file system), started in {host.StartupTime.TotalSeconds:0.0} s; callers in-process through IGrainFactory");

        var failures = itemCounts.Length > 0 ? await VolumeAsync(host, customer, flights, writes, itemCounts, updates, volumeLatency, itemsPerOperation, itemBytes) : 0;
        if (tenants > 0)
        {
            failures += await ManyTenantsAsync(host, customer, flights, writes, tenants, latency, parallelism, bounded);
        }

        PrintFooter(run.Elapsed);
        return failures == 0 ? 0 : 1;
    }

    // ---- (a) update cost against stored data volume ----------------------------------------

    private static async Task<int> VolumeAsync(BenchHost host, IAmazonKeyManagementService customer, BenchLatencyRecorder flights, BenchLatencyRecorder writes, int[] itemCounts, int updates, double latency, int itemsPerOperation, int itemBytes)
    {
        var store = new BackupStore(host.Services.GetRequiredService<IOptions<JobStorageOptions>>().Value.Backups);
        var rows = new List<string>();
        var failures = 0;
        Console.WriteLine();
        Console.WriteLine($"## (a) Update cost against stored data: {updates} updates per tenant, one after another, {(latency > 0 ? $"{latency:0} ms injected on every KMS operation" : "no KMS latency injected")}");
        Console.WriteLine();
        Console.WriteLine($"Items are written as a backup job writes them: one AdmitAsync lease per operation of {itemsPerOperation} items, {itemBytes} B of content each, AES-256-GCM under the lease's data key, one file per item (fsync + rename); updates alternate between two customer keys.");

        foreach (var items in itemCounts)
        {
            var tenant = $"bench-update-{items}";
            var keys = new[] { await BenchKeyTenants.CreateCustomerKeyAsync(customer, tenant), await BenchKeyTenants.CreateCustomerKeyAsync(customer, tenant) };
            await BenchKeyTenants.EnableAsync(host, tenant, keys[0]);
            var grain = host.Grains.GetGrain<IKeyGrain>(tenant);

            var writing = Stopwatch.StartNew();
            var operations = (items + itemsPerOperation - 1) / itemsPerOperation;
            await Parallel.ForAsync(0, operations, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (op, ct) =>
            {
                var container = $"container-{op:D4}";
                var lease = await grain.AdmitAsync(new AdmissionRequest("bench-backup", container));
                try
                {
                    for (var i = op * itemsPerOperation; i < Math.Min(items, (op + 1) * itemsPerOperation); i++)
                    {
                        var content = RandomNumberGenerator.GetBytes(itemBytes);
                        var item = new SourceItem(container, $"item-{i:D6}", 1, $"item {i}.eml", "message/rfc822", content.Length);
                        await store.WriteAsync(tenant, item, content, lease.DataKey, lease.WrappedDataKey, ct);
                    }
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(lease.DataKey);
                }
            });
            writing.Stop();
            var before = Snapshot(host, tenant);

            host.Kms.Faults.Clear();
            if (latency > 0)
            {
                host.Kms.Faults.Add(new FaultRule { Latency = TimeSpan.FromMilliseconds(latency) });
            }

            var times = new double[updates];
            var callsBefore = CountByOperation(host);
            flights.Take();
            writes.Take();
            (flights.Recording, writes.Recording) = (true, true);
            for (var u = 0; u < updates; u++)
            {
                var target = keys[(u + 1) % 2];
                var start = Stopwatch.GetTimestamp();
                var status = await grain.UpdateKeyAsync(target, "admin");
                times[u] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (status.KeyArn != target)
                {
                    failures++;
                }
            }

            (flights.Recording, writes.Recording) = (false, false);
            var kmsTime = flights.Take().Sum() / updates;
            var stateWrites = writes.Take();
            var calls = Subtract(CountByOperation(host), callsBefore);
            host.Kms.Faults.Clear();

            var after = Snapshot(host, tenant);
            var restored = await RestoreSampleAsync(grain, store, tenant, 16);
            var unchanged = before.Files == after.Files && before.LatestWrite == after.LatestWrite;
            if (!unchanged || restored.Failed > 0)
            {
                failures++;
            }

            Array.Sort(times);
            rows.Add($"| {N0(items)} | {N0(after.Files)} | {N1(after.Bytes / 1024.0 / 1024.0)} MB | {writing.Elapsed.TotalSeconds:0.0} s | {updates} | {Ms(Percentile(times, 0.5))} | {Ms(times.Average())} | {Ms(times[^1])} | {Ms(kmsTime)} | {N1(stateWrites.Length / (double)updates)} | {Ms(stateWrites.Sum() / updates)} | {N1(calls.Values.Sum() / (double)updates)} | {Breakdown(calls, updates)} | {(unchanged ? "0" : "CHANGED")} | {restored.Ok}/{restored.Ok + restored.Failed} |");
            Console.Error.WriteLine($"  [{items} items] update p50 {Percentile(times, 0.5):0.00} ms");
        }

        Console.WriteLine();
        Console.WriteLine("| backed-up items | item files | stored | written in | updates | update p50 | mean | max | KMS time per update (its calls, summed) | grain-state writes per update | their time, summed | KMS calls per update | by operation (per update) | item files changed by the updates | sample restored after the updates |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|");
        rows.ForEach(Console.WriteLine);
        return failures;
    }

    /// <summary>The tenant's item files: count, bytes and the latest write (an update must touch none of them).</summary>
    private static (int Files, long Bytes, DateTime LatestWrite) Snapshot(BenchHost host, string tenant)
    {
        var folder = Path.Combine(host.Services.GetRequiredService<IOptions<JobStorageOptions>>().Value.Backups, tenant);
        if (!Directory.Exists(folder))
        {
            return (0, 0, DateTime.MinValue);
        }

        var files = new DirectoryInfo(folder).EnumerateFiles("*.ekm", SearchOption.AllDirectories).ToList();
        return (files.Count, files.Sum(f => f.Length), files.Count > 0 ? files.Max(f => f.LastWriteTimeUtc) : DateTime.MinValue);
    }

    /// <summary>A restore after the updates: stored data keys unwrapped by a new admission (new key, same tenant key), items decrypted.</summary>
    private static async Task<(int Ok, int Failed)> RestoreSampleAsync(IKeyGrain grain, BackupStore store, string tenant, int count)
    {
        var stored = store.List(tenant);
        if (stored.Count == 0)
        {
            return (0, 0);
        }

        var sample = Enumerable.Range(0, count).Select(i => stored[(int)((long)i * stored.Count / count)]).DistinctBy(s => (s.ContainerId, s.ItemId)).ToList();
        var lease = await grain.AdmitAsync(new AdmissionRequest("bench-restore", "sample") { StoredDataKeys = sample.Select(s => s.WrappedDataKey).ToList() });
        var (ok, failed) = (0, 0);
        for (var i = 0; i < sample.Count; i++)
        {
            try
            {
                var content = await store.ReadAsync(tenant, sample[i], lease.StoredDataKeys[i]);
                (ok, failed) = content.Length == sample[i].Length ? (ok + 1, failed) : (ok, failed + 1);
            }
            catch (Problems.EkmProblemException)
            {
                failed++;
            }
        }

        return (ok, failed);
    }

    // ---- (b) many tenants at once --------------------------------------------------------------

    private static async Task<int> ManyTenantsAsync(BenchHost host, IAmazonKeyManagementService customer, BenchLatencyRecorder flights, BenchLatencyRecorder writes, int tenants, double latency, int parallelism, int bounded)
    {
        Console.WriteLine();
        Console.WriteLine($"## (b) {N0(tenants)} tenants updated concurrently, {latency:0} ms injected on every KMS operation");
        Console.WriteLine();

        var setup = Stopwatch.StartNew();
        var first = new string[tenants];
        var second = new string[tenants];
        await Parallel.ForAsync(0, tenants, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (t, _) =>
        {
            first[t] = await BenchKeyTenants.CreateCustomerKeyAsync(customer, Tenant(t));
            second[t] = await BenchKeyTenants.CreateCustomerKeyAsync(customer, Tenant(t));
            await BenchKeyTenants.EnableAsync(host, Tenant(t), first[t]);
        });
        setup.Stop();
        Console.WriteLine($"Setup (not timed below): {N0(tenants)} tenants, each enabled on its own customer key, with a second key for the update, in {setup.Elapsed.TotalSeconds:0.0} s ({parallelism} at a time, no latency injected). The KeyGrains stay active.");
        Console.WriteLine($"Round 1 starts every update at once (the issue's case); round 2 moves every tenant back to its first key with at most {bounded} updates in flight, as a scheduler that bounds its concurrency would. Per-update latency runs from the update's own start.");

        host.Kms.Faults.Clear();
        host.Kms.Faults.Add(new FaultRule { Latency = TimeSpan.FromMilliseconds(latency) });
        var idle = await BenchKeyTenants.MeasureDecryptFlightAsync(host, second[0], Tenant(0), 50);

        var rows = new List<string>();
        var failures = 0;
        foreach (var (targets, concurrency) in new[] { (second, tenants), (first, bounded) }.Where(r => r.Item2 > 0))
        {
            var (row, failed) = await RoundAsync(host, flights, writes, targets, concurrency, latency, Percentile(idle, 0.5));
            rows.Add(row);
            failures += failed;
        }

        host.Kms.Faults.Clear();
        Console.WriteLine();
        Console.WriteLine("| tenants | updates in flight | injected | flight idle (Decrypt p50) | flight loaded (mean of its KMS calls) | KMS time per update (its calls, summed) | grain-state writes: count per update, p50, p99, max, share ≥ 150 ms | wall time | updates/s | p50 | p99 | max | KMS calls per update | by operation (per update) | CPU busy | thread-pool threads (start → max) | on the new key | errors |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|");
        rows.ForEach(Console.WriteLine);
        return failures;
    }

    private static string Tenant(int t) => $"bench-many-{t:D5}";

    private static async Task<(string Row, int Failures)> RoundAsync(BenchHost host, BenchLatencyRecorder flights, BenchLatencyRecorder writes, string[] targets, int concurrency, double latency, double idleFlight)
    {
        var tenants = targets.Length;
        var callsBefore = CountByOperation(host);
        var errors = 0;
        var times = new double[tenants];
        var threadsAtStart = ThreadPool.ThreadCount;
        var threadsMax = threadsAtStart;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                threadsMax = Math.Max(threadsMax, ThreadPool.ThreadCount);
                await Task.Delay(20, CancellationToken.None);
            }
        });
        flights.Take();
        writes.Take();
        (flights.Recording, writes.Recording) = (true, true);
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var wall = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(concurrency);
        await Task.WhenAll(Enumerable.Range(0, tenants).Select(t => Task.Run(async () =>
        {
            await gate.WaitAsync();
            var start = Stopwatch.GetTimestamp();
            try
            {
                var status = await host.Grains.GetGrain<IKeyGrain>(Tenant(t)).UpdateKeyAsync(targets[t], "admin");
                if (status.KeyArn != targets[t])
                {
                    Interlocked.Increment(ref errors);
                }
            }
            catch (Exception ex) when (ex is Problems.EkmProblemException or TimeoutException or OrleansException)
            {
                Interlocked.Increment(ref errors);
                Console.Error.WriteLine($"  update of tenant {t} failed: {ex.GetType().Name}: {ex.Message}");
            }
            finally
            {
                times[t] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                gate.Release();
            }
        })));
        wall.Stop();
        var cpu = Environment.CpuUsage.TotalTime - cpuBefore;
        (flights.Recording, writes.Recording) = (false, false);
        await sampling.CancelAsync();
        await sampler;
        var loaded = flights.Take();
        var stateWrites = writes.Take();
        var calls = Subtract(CountByOperation(host), callsBefore);

        var onNewKey = 0;
        for (var t = 0; t < tenants; t++)
        {
            onNewKey += (await host.Grains.GetGrain<IKeyGrain>(Tenant(t)).GetStatusAsync()).KeyArn == targets[t] ? 1 : 0;
        }

        Array.Sort(times);
        var row = $"| {N0(tenants)} | {(concurrency >= tenants ? "all" : N0(concurrency))} | {latency:0} ms | {Ms(idleFlight)} | {Ms(loaded.Length > 0 ? loaded.Average() : double.NaN)} | {Ms(loaded.Sum() / tenants)} | {N1(stateWrites.Length / (double)tenants)}, {Ms(Percentile(stateWrites, 0.5))}, {Ms(Percentile(stateWrites, 0.99))}, {Ms(stateWrites.Length > 0 ? stateWrites[^1] : double.NaN)}, {(stateWrites.Length > 0 ? stateWrites.Count(w => w >= 150) / (double)stateWrites.Length : 0):P0} | {wall.Elapsed.TotalSeconds:0.00} s | {N0(tenants / wall.Elapsed.TotalSeconds)} | {Ms(Percentile(times, 0.5))} | {Ms(Percentile(times, 0.99))} | {Ms(times[^1])} | {N2(calls.Values.Sum() / (double)tenants)} | {Breakdown(calls, tenants)} | {cpu / wall.Elapsed / Environment.ProcessorCount:P0} | {threadsAtStart} → {threadsMax} | {onNewKey}/{tenants} | {errors} |";
        Console.Error.WriteLine($"  [{tenants} tenants, {concurrency} in flight] {wall.Elapsed.TotalSeconds:0.00} s");
        return (row, errors + (tenants - onNewKey));
    }

    // ---- KMS call counts -----------------------------------------------------------------------

    private static Dictionary<string, long> CountByOperation(BenchHost host) =>
        host.Kms.Counters.Snapshot().GroupBy(c => c.Operation).ToDictionary(g => g.Key, g => g.Sum(c => c.Count));

    private static Dictionary<string, long> Subtract(Dictionary<string, long> after, Dictionary<string, long> before) =>
        after.Select(p => (p.Key, Value: p.Value - before.GetValueOrDefault(p.Key))).Where(p => p.Value != 0).ToDictionary(p => p.Key, p => p.Value);

    private static string Breakdown(Dictionary<string, long> calls, int per) =>
        string.Join(", ", calls.OrderBy(c => Array.IndexOf(Operations, c.Key) is var i && i < 0 ? int.MaxValue : i)
            .Select(c => $"{c.Key} {(c.Value / (double)per).ToString("0.##", CultureInfo.InvariantCulture)}"));
}
