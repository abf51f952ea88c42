using System.Globalization;

namespace Ekm.Benchmarks;

/// <summary>
/// What only the data-path and scale benchmarks print: where a path lives (tmpfs or a disk) and
/// sizes in bytes. The command, machine and load come from <see cref="BenchKeyReport"/>.
/// </summary>
internal static class DataPathReport
{
    /// <summary>The file system a path is on, from the longest matching mount point: e.g. "tmpfs" or "ext4 on /dev/vda".</summary>
    public static string FileSystemOf(string path)
    {
        var full = Path.GetFullPath(path);
        var best = (Point: "", Description: "unknown file system");
        foreach (var line in BenchKeyReport.Read("/proc/self/mounts").Split('\n'))
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
}
