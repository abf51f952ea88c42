using System.Text.RegularExpressions;

namespace Ekm.Grains.Jobs.Data;

/// <summary>File-system helpers shared by the backup store and the live store.</summary>
internal static partial class DataPaths
{
    /// <summary>
    /// Joins validated segments under <paramref name="root"/>. Every tenant, container and item id
    /// becomes a folder name, so anything but a DNS-label-like segment ("..", "/", "", upper case)
    /// is refused before it can reach the file system.
    /// </summary>
    public static string Under(string root, params ReadOnlySpan<(string Value, string Name)> segments)
    {
        var path = root;
        foreach (var (value, name) in segments)
        {
            path = Path.Combine(path, Segment(value, name));
        }

        return path;
    }

    public static string Segment(string? value, string parameterName)
    {
        if (value is null || !SegmentPattern().IsMatch(value))
        {
            throw new ArgumentException(
                $"'{value}' is not a valid id: use 1-63 characters a-z, 0-9 and '-', starting with a letter or digit.",
                parameterName);
        }

        return value;
    }

    public static bool IsSegment(string value) => SegmentPattern().IsMatch(value);

    /// <summary>
    /// Writes through a temporary file in the target folder and renames it over the target, so a
    /// reader sees the old file or the complete new one, never a torn write.
    /// </summary>
    public static async Task WriteAtomicallyAsync(string path, IEnumerable<ReadOnlyMemory<byte>> parts, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81_920, useAsync: true))
            {
                foreach (var part in parts)
                {
                    await file.WriteAsync(part, cancellationToken);
                }

                // Down to the disk before the rename, or a crash could leave the new name on an empty file.
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    // Anchored with \z, not $: $ would also accept a trailing newline.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SegmentPattern();
}
