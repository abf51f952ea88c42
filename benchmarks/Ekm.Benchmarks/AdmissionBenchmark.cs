using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Ekm.Grains.Keys;
using Ekm.Keys;
using Ekm.LocalKms.Faults;
using Ekm.Problems;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using static Ekm.Benchmarks.BenchKeyReport;

namespace Ekm.Benchmarks;

/// <summary>
/// Issue 8, admission: one tenant on a customer key in the embedded local KMS, N concurrent
/// sessions, each a loop of <c>KeyGrain.AdmitAsync</c> as a JobGrain makes one per operation, with
/// KMS latency injected on the Decrypt every admission batch makes (DESIGN §12). Per configuration:
/// an untimed warm-up, then a fixed time in which every call's latency is kept (Stopwatch ticks into
/// a per-session array). The KMS flight is measured twice: idle (sequential Decrypts through the
/// service's own KMS client) and under load (the service's own KMS latency histogram).
/// </summary>
internal static class AdmissionBenchmark
{
    private const string Tenant = "bench-admission";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help"))
        {
            Console.WriteLine("admission [--latencies 0,1,5] [--sessions 1,8,64,512] [--seconds 5] [--warmup 2] [--flights 100] [--setting key=value]...");
            Console.WriteLine("  latencies: ms injected on the customer key's Decrypt; seconds: measured per row after warmup seconds; flights: idle Decrypts timed per latency");
            return 0;
        }

        var latencies = DoubleList(args, "latencies", "0,1,5");
        var sessionCounts = IntList(args, "sessions", "1,8,64,512");
        var duration = TimeSpan.FromSeconds(double.Parse(Option(args, "seconds", "5"), System.Globalization.CultureInfo.InvariantCulture));
        var warmup = TimeSpan.FromSeconds(double.Parse(Option(args, "warmup", "2"), System.Globalization.CultureInfo.InvariantCulture));
        var flightCount = int.Parse(Option(args, "flights", "100"), System.Globalization.CultureInfo.InvariantCulture);

        var run = Stopwatch.StartNew();
        PrintHeader("Admission: one tenant, concurrent sessions, KMS latency injected on Decrypt");
        await using var host = await BenchKeyTenants.StartHostAsync(args);
        using var customer = BenchKeyTenants.Customer(host);
        var key = await BenchKeyTenants.CreateCustomerKeyAsync(customer, Tenant);
        await BenchKeyTenants.EnableAsync(host, Tenant, key);
        var grain = host.Grains.GetGrain<IKeyGrain>(Tenant);
        using var flights = BenchLatencyRecorder.KmsCalls();

        Console.WriteLine($"- host: embedded (one silo, SQLite grain storage, local KMS over loopback HTTP), started in {host.StartupTime.TotalSeconds:0.0} s; callers in-process through IGrainFactory");
        Console.WriteLine($"- each row: {warmup.TotalSeconds:0.#} s untimed warm-up, then {duration.TotalSeconds:0.#} s measured; the fault is a FaultRule on Decrypt for the tenant's key only");
        Console.WriteLine($"- flight idle: p50 of {flightCount} sequential Decrypts through the service's IKms with the fault in place; flight loaded: mean Decrypt duration the KeyGrain saw during the row (ekm.kms.call.duration)");
        Console.WriteLine("- CPU and allocations are the whole process's (callers, silo, KMS client and server) per admission; at low rates CPU includes the thread pool's idle spinning");

        // Tiered JIT and connection pools settle before anything is kept.
        await MeasureAsync(host, grain, key, flights, sessionCounts.Max(), TimeSpan.FromSeconds(1), warmup);

        var rows = new List<Row>();
        foreach (var latency in latencies)
        {
            host.Kms.Faults.Clear();
            if (latency > 0)
            {
                host.Kms.Faults.Add(new FaultRule { Operation = "Decrypt", KeyId = key, Latency = TimeSpan.FromMilliseconds(latency) });
            }

            var idle = await BenchKeyTenants.MeasureDecryptFlightAsync(host, key, Tenant, flightCount);
            foreach (var sessions in sessionCounts)
            {
                var row = await MeasureAsync(host, grain, key, flights, sessions, warmup, duration) with { Injected = latency, IdleFlight = idle };
                rows.Add(row);
                Console.Error.WriteLine($"  [{latency} ms, {sessions} sessions] {row.PerSecond:N0}/s p50 {row.P50:0.00} ms p99 {row.P99:0.00} ms");
            }
        }

        host.Kms.Faults.Clear();
        PrintTable(rows);
        PrintLeaseCosts(host);
        PrintFooter(run.Elapsed);
        return rows.Any(r => r.Errors > 0) ? 1 : 0;
    }

    private static async Task<Row> MeasureAsync(BenchHost host, IKeyGrain grain, string key, BenchLatencyRecorder flights, int sessions, TimeSpan warmup, TimeSpan duration)
    {
        var phase = new StrongBox<int>(0); // 0 warm-up, 1 measured, 2 stop
        var kept = new long[sessions][];
        var keptCounts = new int[sessions];
        var errors = 0L;
        var capacity = Math.Max(4096, 4_000_000 / sessions);

        var loops = Enumerable.Range(0, sessions).Select(s => Task.Run(async () =>
        {
            // As a JobGrain: one session id, one operation (container) per admission, the data key cleared after use.
            var sessionId = $"bench-session-{s}";
            var containers = Enumerable.Range(0, 16).Select(c => $"container-{c}").ToArray();
            var mine = new long[capacity];
            var n = 0;
            for (var op = 0; ; op++)
            {
                var now = Volatile.Read(ref phase.Value);
                if (now == 2)
                {
                    break;
                }

                var start = Stopwatch.GetTimestamp();
                try
                {
                    var lease = await grain.AdmitAsync(new AdmissionRequest(sessionId, containers[op & 15]));
                    CryptographicOperations.ZeroMemory(lease.DataKey);
                }
                catch (EkmProblemException)
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }

                var elapsed = Stopwatch.GetTimestamp() - start;
                if (now == 1)
                {
                    if (n == mine.Length)
                    {
                        Array.Resize(ref mine, n * 2);
                    }

                    mine[n++] = elapsed;
                }
            }

            kept[s] = mine;
            keptCounts[s] = n;
        })).ToArray();

        await Task.Delay(warmup);
        var decryptsBefore = host.Kms.Counters.Count("Decrypt", key);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var gen2Before = GC.CollectionCount(2);
        flights.Take("Decrypt");
        flights.Recording = true;
        var started = Stopwatch.GetTimestamp();
        Volatile.Write(ref phase.Value, 1);

        await Task.Delay(duration);

        Volatile.Write(ref phase.Value, 2);
        var window = Stopwatch.GetElapsedTime(started);
        var cpu = Environment.CpuUsage.TotalTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var gen2 = GC.CollectionCount(2) - gen2Before;
        var decrypts = host.Kms.Counters.Count("Decrypt", key) - decryptsBefore;
        await Task.WhenAll(loops);
        flights.Recording = false;
        var loaded = flights.Take("Decrypt");

        var all = new double[keptCounts.Sum()];
        var at = 0;
        for (var s = 0; s < sessions; s++)
        {
            for (var i = 0; i < keptCounts[s]; i++)
            {
                all[at++] = Milliseconds(kept[s][i]);
            }
        }

        Array.Sort(all);
        return new Row
        {
            Sessions = sessions,
            Admissions = all.Length,
            PerSecond = all.Length / window.TotalSeconds,
            P50 = Percentile(all, 0.50),
            P99 = Percentile(all, 0.99),
            Max = all.Length > 0 ? all[^1] : double.NaN,
            Decrypts = decrypts,
            LoadedFlight = loaded.Length > 0 ? loaded.Average() : double.NaN,
            CpuMicrosPerAdmission = all.Length > 0 ? cpu.TotalMicroseconds / all.Length : double.NaN,
            CpuShare = cpu / window / Environment.ProcessorCount,
            // The runtime's total can step backwards across a gen-2 collection of the server GC: no number then.
            BytesPerAdmission = all.Length > 0 && allocated >= 0 ? (double)allocated / all.Length : double.NaN,
            Gen2 = gen2,
            Errors = Interlocked.Read(ref errors),
        };
    }

    private static void PrintTable(List<Row> rows)
    {
        Console.WriteLine();
        Console.WriteLine("| injected | flight idle (p50) | flight loaded (mean) | sessions | admissions/s | p50 | p99 | p99 ÷ flight idle | p99 ÷ injected | KMS Decrypt calls | admissions per call | CPU µs / admission | CPU busy | alloc / admission | gen2 GCs | errors |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            var idle = Percentile(r.IdleFlight, 0.5);
            Console.WriteLine($"| {r.Injected:0} ms | {Ms(idle)} | {Ms(r.LoadedFlight)} | {r.Sessions} | {N0(r.PerSecond)} | {Ms(r.P50)} | {Ms(r.P99)} | {N1(r.P99 / idle)} | {(r.Injected > 0 ? N1(r.P99 / r.Injected) : "–")} | {N0(r.Decrypts)} | {N1(r.Admissions / (double)r.Decrypts)} | {N1(r.CpuMicrosPerAdmission)} | {r.CpuShare:P0} | {N1(r.BytesPerAdmission / 1024)} KB | {r.Gen2} | {r.Errors} |");
        }

        Console.WriteLine();
        Console.WriteLine("Idle flight per injected latency (sequential Decrypts, ms):");
        Console.WriteLine();
        Console.WriteLine("| injected | p50 | p99 | max |");
        Console.WriteLine("|---:|---:|---:|---:|");
        foreach (var r in rows.DistinctBy(r => r.Injected))
        {
            Console.WriteLine($"| {r.Injected:0} ms | {Ms(Percentile(r.IdleFlight, 0.5))} | {Ms(Percentile(r.IdleFlight, 0.99))} | {Ms(r.IdleFlight[^1])} |");
        }
    }

    /// <summary>
    /// What each admission costs on the KeyGrain's single turn after the flight returns (Lease: a
    /// fresh data key wrapped under the tenant key) and on the way back (Orleans deep-copies a
    /// KeyLease, which is not [Immutable]); and the same lease with one AES-GCM instance per batch.
    /// Single-threaded, nanoseconds per lease.
    /// </summary>
    private static void PrintLeaseCosts(BenchHost host)
    {
        const int Count = 200_000;
        var tenantKey = RandomNumberGenerator.GetBytes(32);
        var copier = host.Services.GetRequiredService<DeepCopier>();
        var sample = new KeyLease(TenantKeyCrypto.NewDataKey(), TenantKeyCrypto.Wrap(tenantKey, TenantKeyCrypto.NewDataKey(), Tenant), 1, []);
        var context = Encoding.UTF8.GetBytes("ekm-data-key|" + Tenant);

        var product = Time(() =>
        {
            var dataKey = TenantKeyCrypto.NewDataKey();
            _ = new KeyLease(dataKey, TenantKeyCrypto.Wrap(tenantKey, dataKey, Tenant), 1, Array.Empty<byte[]>().Select(w => w).ToList());
        });
        var copy = Time(() => copier.Copy(sample));
        var random32 = Time(() => RandomNumberGenerator.GetBytes(32));
        var newAes = Time(() =>
        {
            using var aes = new AesGcm(tenantKey, 16);
        });
        var nonce = new byte[12];
        var plain = new byte[32];
        var cipher = new byte[32];
        var tag = new byte[16];
        double encrypt;
        using (var aes = new AesGcm(tenantKey, 16))
        {
            encrypt = Time(() => aes.Encrypt(nonce, plain, cipher, tag, context));
        }

        double perBatch;
        using (var aes = new AesGcm(tenantKey, 16))
        {
            perBatch = Time(() =>
            {
                var dataKey = RandomNumberGenerator.GetBytes(32);
                var wrapped = new byte[12 + 32 + 16];
                RandomNumberGenerator.Fill(wrapped.AsSpan(0, 12));
                aes.Encrypt(wrapped.AsSpan(0, 12), dataKey, wrapped.AsSpan(12, 32), wrapped.AsSpan(44), context);
                _ = new KeyLease(dataKey, wrapped, 1, []);
            });
        }

        Console.WriteLine();
        Console.WriteLine("Per-admission costs, single-threaded (ns per lease; the KeyGrain mints a batch's leases one after another in one turn):");
        Console.WriteLine();
        Console.WriteLine("| step | ns |");
        Console.WriteLine("|---|---:|");
        Console.WriteLine($"| KeyGrain.Lease as shipped (NewDataKey + TenantKeyCrypto.Wrap: new AesGcm per lease) | {N0(product)} |");
        Console.WriteLine($"| the same lease with one AesGcm per batch and the context bytes cached | {N0(perBatch)} |");
        Console.WriteLine($"| of which: RandomNumberGenerator.GetBytes(32) (the data key; the nonce is a second call) | {N0(random32)} |");
        Console.WriteLine($"| of which: new AesGcm(tenant key) + Dispose | {N0(newAes)} |");
        Console.WriteLine($"| of which: AesGcm.Encrypt of the 32-byte data key | {N0(encrypt)} |");
        Console.WriteLine($"| Orleans deep copy of a KeyLease (not [Immutable]) | {N0(copy)} |");

        static double Time(Action step)
        {
            for (var i = 0; i < Count / 10; i++)
            {
                step();
            }

            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < Count; i++)
            {
                step();
            }

            return Stopwatch.GetElapsedTime(start).TotalNanoseconds / Count;
        }
    }

    private sealed record Row
    {
        public double Injected { get; init; }

        public double[] IdleFlight { get; init; } = [];

        public int Sessions { get; init; }

        public long Admissions { get; init; }

        public double PerSecond { get; init; }

        public double P50 { get; init; }

        public double P99 { get; init; }

        public double Max { get; init; }

        public long Decrypts { get; init; }

        public double LoadedFlight { get; init; }

        public double CpuMicrosPerAdmission { get; init; }

        public double CpuShare { get; init; }

        public double BytesPerAdmission { get; init; }

        public int Gen2 { get; init; }

        public long Errors { get; init; }
    }
}
