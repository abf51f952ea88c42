using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime;
using System.Runtime.InteropServices;

namespace Ekm.Benchmarks;

/// <summary>
/// What the key benchmarks (admission, key update) print around their tables: the exact command,
/// the machine and its load at start and end, so a row pasted into docs/benchmarks.md says where it
/// came from. And the percentile and formatting helpers their tables share.
/// </summary>
internal static class BenchKeyReport
{
    public static void PrintHeader(string title)
    {
        var args = Environment.GetCommandLineArgs();
        Console.WriteLine($"# {title}");
        Console.WriteLine();
        Console.WriteLine("```");
        Console.WriteLine($"dotnet {args[0]} {string.Join(' ', args.Skip(1))}");
        Console.WriteLine("```");
        Console.WriteLine();
        Console.WriteLine($"(from the repository: `dotnet run -c Release --project benchmarks/Ekm.Benchmarks -- {string.Join(' ', args.Skip(1))}`)");
        Console.WriteLine();
        Console.WriteLine($"- machine: {CpuModel()}, {Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, Linux {Read("/proc/sys/kernel/osrelease")}, {Configuration()} build, {(GCSettings.IsServerGC ? "server" : "workstation")} GC");
        Console.WriteLine($"- load average at start: {LoadAverage()}");
        Console.WriteLine($"- started: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC");
    }

    public static void PrintFooter(TimeSpan elapsed)
    {
        Console.WriteLine();
        Console.WriteLine($"- load average at end: {LoadAverage()}");
        Console.WriteLine($"- wall time of the whole run: {elapsed.TotalSeconds:0} s");
    }

    /// <summary>The value below which <paramref name="fraction"/> of the sorted values lie (nearest rank).</summary>
    public static double Percentile(double[] sorted, double fraction)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(fraction * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public static double Milliseconds(long stopwatchTicks) => stopwatchTicks * 1000.0 / Stopwatch.Frequency;

    public static string Ms(double milliseconds) => double.IsNaN(milliseconds)
        ? "–"
        : milliseconds < 10
            ? milliseconds.ToString("0.00", CultureInfo.InvariantCulture) + " ms"
            : milliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    public static string N0(double value) => double.IsNaN(value) ? "–" : value.ToString("N0", CultureInfo.InvariantCulture);

    public static string N1(double value) => double.IsNaN(value) ? "–" : value.ToString("N1", CultureInfo.InvariantCulture);

    public static string N2(double value) => double.IsNaN(value) ? "–" : value.ToString("N2", CultureInfo.InvariantCulture);

    /// <summary>Reads <c>--name value</c> from the arguments, or the default.</summary>
    public static string Option(string[] args, string name, string fallback)
    {
        var at = Array.IndexOf(args, "--" + name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }

    public static int[] IntList(string[] args, string name, string fallback) =>
        Option(args, name, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    public static double[] DoubleList(string[] args, string name, string fallback) =>
        Option(args, name, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    public static string LoadAverage() => string.Join(' ', Read("/proc/loadavg").Split(' ').Take(3));

    public static string CpuModel() =>
        Read("/proc/cpuinfo").Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";

    private static string Configuration() =>
        typeof(BenchKeyReport).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true ? "Debug" : "Release";

    /// <summary>A system file's text (<c>/proc/…</c>), trimmed; "?" where it cannot be read.</summary>
    public static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return "?";
        }
        catch (UnauthorizedAccessException)
        {
            return "?";
        }
    }
}
