using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Ekm.Benchmarks;

/// <summary>
/// <c>data-path [BenchmarkDotNet arguments, e.g. --filter *StoreWrite*]</c>: encrypt+store and
/// read+decrypt throughput of <see cref="Ekm.Grains.Jobs.Data.BackupStore"/> against raw
/// <see cref="System.Security.Cryptography.AesGcm"/> in the same run (<see cref="DataPathBenchmarks"/>).
/// Target (issue 8): at least 0.8 of raw throughput.
/// </summary>
internal static class DataPathBenchmark
{
    // The raw baseline that does only the cryptography, for every case that does more.
    private static readonly Dictionary<string, string> CryptoOnly = new()
    {
        [nameof(DataPathBenchmarks.RawEncryptWriteAllBytes)] = nameof(DataPathBenchmarks.RawEncrypt),
        [nameof(DataPathBenchmarks.RawEncryptDurable)] = nameof(DataPathBenchmarks.RawEncrypt),
        [nameof(DataPathBenchmarks.StoreWrite)] = nameof(DataPathBenchmarks.RawEncrypt),
        [nameof(DataPathBenchmarks.RawReadDecrypt)] = nameof(DataPathBenchmarks.RawDecrypt),
        [nameof(DataPathBenchmarks.StoreRead)] = nameof(DataPathBenchmarks.RawDecrypt),
    };

    // The raw baseline that does the same file I/O as the store (for writes: temp file, fsync, rename), so the store's own overhead shows.
    private static readonly Dictionary<string, string> SameIo = new()
    {
        [nameof(DataPathBenchmarks.StoreWrite)] = nameof(DataPathBenchmarks.RawEncryptDurable),
        [nameof(DataPathBenchmarks.StoreRead)] = nameof(DataPathBenchmarks.RawReadDecrypt),
    };

    private static readonly string[] DeclaredOrder = typeof(DataPathBenchmarks).GetMethods().Select(m => m.Name).ToArray();

    public static int Run(string[] args)
    {
        var clock = Stopwatch.StartNew();
        BenchKeyReport.PrintHeader("Data path: BackupStore vs raw AesGcm (issue 8, item 3)");
        foreach (var root in StoreRoot.All)
        {
            Console.WriteLine($"- store root \"{root.Name}\": {root.Path} ({DataPathReport.FileSystemOf(root.Path)})");
        }

        Console.WriteLine();
        var summary = BenchmarkRunner.Run<DataPathBenchmarks>(Config(), args);
        PrintTables(summary);
        BenchKeyReport.PrintFooter(clock.Elapsed);
        return summary.Reports.Length > 0 && summary.Reports.All(r => r.Success) ? 0 : 1;
    }

    /// <summary>
    /// Short: one launch, 2 warm-up and 5 measured iterations of ~200 ms each, so all 56 cases fit
    /// in a few minutes. In process: no generated project to compile (a cold build takes a minute
    /// here), and the benchmark runs with this process's (server) GC, as the host does.
    /// </summary>
    private static ManualConfig Config()
    {
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(5)
            .WithIterationTime(TimeInterval.FromMilliseconds(200))
            .WithId("short");
        return ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(new ThroughputColumn(), new RatioColumn("÷ AesGcm", Baseline), new RatioColumn("÷ raw same I/O", SameIoPeer))
            .HideColumns(Column.Ratio, Column.RatioSD, Column.AllocRatio)
            .WithOrderer(new DefaultOrderer(SummaryOrderPolicy.Declared, MethodOrderPolicy.Declared))
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "ekm-bench-data-path"));
    }

    private static string? Baseline(string method) => CryptoOnly.GetValueOrDefault(method);

    private static string? SameIoPeer(string method) => SameIo.GetValueOrDefault(method);

    private static void PrintTables(Summary summary)
    {
        var rows = summary.Reports
            .Where(r => r.ResultStatistics is not null)
            .Select(r => (Case: r.BenchmarkCase, Method: r.BenchmarkCase.Descriptor.WorkloadMethod.Name, Mean: r.ResultStatistics!.Mean))
            .OrderBy(r => (StoreRoot)r.Case.Parameters[nameof(DataPathBenchmarks.Store)])
            .ThenBy(r => ((ItemSize)r.Case.Parameters[nameof(DataPathBenchmarks.Size)]).Bytes)
            .ThenBy(r => Array.IndexOf(DeclaredOrder, r.Method))
            .ToList();
        if (rows.Count == 0)
        {
            return;
        }

        double MeanOf(BenchmarkDotNet.Running.BenchmarkCase of, string? method) => method is null
            ? double.NaN
            : rows.FirstOrDefault(r => r.Method == method && r.Case.Parameters.DisplayInfo == of.Parameters.DisplayInfo).Mean is var m and > 0 ? m : double.NaN;

        Console.WriteLine();
        Console.WriteLine("## Data path, for docs/benchmarks.md");
        Console.WriteLine();
        Console.WriteLine("Throughput in MiB/s of plaintext; ratios are throughput ÷ the raw baseline's throughput in the same run (≥ 0.8 meets the target).");
        Console.WriteLine();
        Console.WriteLine("| store on | size | operation | mean | MiB/s | ÷ AesGcm | ÷ raw same I/O |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            var size = (ItemSize)row.Case.Parameters[nameof(DataPathBenchmarks.Size)];
            var store = row.Case.Parameters[nameof(DataPathBenchmarks.Store)];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {store} | {size} | {row.Case.Descriptor.WorkloadMethodDisplayInfo.Trim('\'')} | {Time(row.Mean)} | {MiBps(size.Bytes, row.Mean)} | {Ratio(MeanOf(row.Case, Baseline(row.Method)), row.Mean)} | {Ratio(MeanOf(row.Case, SameIoPeer(row.Method)), row.Mean)} |"));
        }

        Console.WriteLine();
        Console.WriteLine("Against the target, store throughput ÷ raw throughput:");
        Console.WriteLine();
        Console.WriteLine("| store on | size | write ÷ AesGcm | write ÷ AesGcm+temp+fsync+rename | read ÷ AesGcm | read ÷ ReadAllBytes+AesGcm |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var group in rows.Where(r => r.Method == nameof(DataPathBenchmarks.StoreWrite)))
        {
            var read = rows.FirstOrDefault(r => r.Method == nameof(DataPathBenchmarks.StoreRead) && r.Case.Parameters.DisplayInfo == group.Case.Parameters.DisplayInfo);
            var size = (ItemSize)group.Case.Parameters[nameof(DataPathBenchmarks.Size)];
            var store = group.Case.Parameters[nameof(DataPathBenchmarks.Store)];
            Console.WriteLine(
                $"| {store} | {size} | {Ratio(MeanOf(group.Case, nameof(DataPathBenchmarks.RawEncrypt)), group.Mean)} | {Ratio(MeanOf(group.Case, nameof(DataPathBenchmarks.RawEncryptDurable)), group.Mean)} " +
                $"| {Ratio(MeanOf(group.Case, nameof(DataPathBenchmarks.RawDecrypt)), read.Mean)} | {Ratio(MeanOf(group.Case, nameof(DataPathBenchmarks.RawReadDecrypt)), read.Mean)} |");
        }
    }

    private static string Time(double nanoseconds) => nanoseconds switch
    {
        >= 1e6 => (nanoseconds / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " ms",
        >= 1e3 => (nanoseconds / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " µs",
        _ => nanoseconds.ToString("0", CultureInfo.InvariantCulture) + " ns",
    };

    private static string MiBps(int bytes, double nanoseconds) =>
        (bytes / (1024.0 * 1024) / (nanoseconds / 1e9)).ToString("N0", CultureInfo.InvariantCulture);

    private static string Ratio(double baseline, double mean) =>
        double.IsNaN(baseline) || double.IsNaN(mean) || mean <= 0 ? "–" : (baseline / mean).ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>Plaintext MiB/s of a case: item size ÷ mean time.</summary>
    private sealed class ThroughputColumn : IColumn
    {
        public string Id => "ekm-throughput";

        public string ColumnName => "MiB/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Plaintext throughput: item size ÷ mean time";

        public string GetValue(Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase) =>
            summary[benchmarkCase]?.ResultStatistics is { Mean: > 0 } stats
                ? MiBps(((ItemSize)benchmarkCase.Parameters[nameof(DataPathBenchmarks.Size)]).Bytes, stats.Mean)
                : "–";

        public string GetValue(Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }

    /// <summary>Throughput of a case ÷ throughput of a peer case with the same parameters (its mean ÷ ours).</summary>
    private sealed class RatioColumn(string name, Func<string, string?> peer) : IColumn
    {
        public string Id => "ekm-ratio-" + name;

        public string ColumnName => name;

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 1;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => $"Throughput ÷ throughput of the raw baseline ({name}) with the same parameters";

        public string GetValue(Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase)
        {
            var other = peer(benchmarkCase.Descriptor.WorkloadMethod.Name);
            var peerCase = other is null
                ? null
                : summary.BenchmarksCases.FirstOrDefault(c => c.Descriptor.WorkloadMethod.Name == other && c.Parameters.DisplayInfo == benchmarkCase.Parameters.DisplayInfo);
            var mine = summary[benchmarkCase]?.ResultStatistics?.Mean ?? double.NaN;
            var theirs = peerCase is null ? double.NaN : summary[peerCase]?.ResultStatistics?.Mean ?? double.NaN;
            return Ratio(theirs, mine);
        }

        public string GetValue(Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
