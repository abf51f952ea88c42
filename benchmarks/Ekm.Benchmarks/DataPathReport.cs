using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime;
using System.Runtime.InteropServices;

namespace Ekm.Benchmarks;

/// <summary>
/// What the data-path and scale benchmarks print around their tables: the exact command, the
/// machine, its load at start and end, and where a path lives (tmpfs or a disk), so a row pasted
/// into docs/benchmarks.md says where it came from.
/// </summary>
internal static class DataPathReport
{
    public static void PrintHeader(string title)
    {
        var args = Environment.GetCommandLineArgs();
        Console.WriteLine($"# {title}");
        Console.WriteLine();
        Console.WriteLine("```");
        Console.WriteLine($"dotnet {Path.GetFileName(args[0])} {string.Join(' ', args.Skip(1))}");
        Console.WriteLine("```");
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

    public static string LoadAverage() => string.Join(' ', Read("/proc/loadavg").Split(' ').Take(3));

    /// <summary>The file system a path is on, from the longest matching mount point: e.g. "tmpfs" or "ext4 on /dev/vda".</summary>
    public static string FileSystemOf(string path)
    {
        var full = Path.GetFullPath(path);
        var best = (Point: "", Description: "unknown file system");
        foreach (var line in Read("/proc/self/mounts").Split('\n'))
        {
            var fields = line.Split(' ');
            if (fields.Length < 3)
            {
                continue;
            }

            var point = fields[1];
            var under = full == point || full.StartsWith(point.TrimEnd('/') + "/", StringComparison.Ordinal);
            if (under && point.Length >= best.Point.Length)
            {
                best = (point, fields[2] == "tmpfs" ? "tmpfs" : $"{fields[2]} on {fields[0]}");
            }
        }

        return best.Description;
    }

    public static string Bytes(double bytes) => bytes switch
    {
        >= 1024 * 1024 * 1024 => (bytes / (1024.0 * 1024 * 1024)).ToString("0.00", CultureInfo.InvariantCulture) + " GiB",
        >= 1024 * 1024 => (bytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        >= 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString("0", CultureInfo.InvariantCulture) + " B",
    };

    public static string CpuModel() =>
        Read("/proc/cpuinfo").Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";

    private static string Configuration() =>
        typeof(DataPathReport).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true ? "Debug" : "Release";

    private static string Read(string path)
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
