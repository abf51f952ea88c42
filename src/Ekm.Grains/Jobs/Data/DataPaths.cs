using System.Runtime.InteropServices;
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
    /// Writes through a temporary file in the target folder and renames it to the target, so a
    /// reader sees the old file or the complete new one, never a torn write. With
    /// <paramref name="replace"/> false a target that exists, even one another writer stored a
    /// moment ago, is kept and this write is dropped: the file, once stored, never changes.
    /// </summary>
    public static async Task WriteAtomicallyAsync(string path, IEnumerable<ReadOnlyMemory<byte>> parts, bool replace, CancellationToken cancellationToken)
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

            if (replace)
            {
                File.Move(temporary, path, overwrite: true);
            }
            else
            {
                PublishOnce(temporary, path);
            }
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Gives <paramref name="temporary"/> the name <paramref name="path"/> unless a file has it.
    /// On Linux through link(2), which fails with EEXIST in one step: File.Move(overwrite: false)
    /// checks that the target is absent and renames afterwards, so two writers could both pass the
    /// check and the second rename would replace the first file.
    /// </summary>
    private static void PublishOnce(string temporary, string path)
    {
        const int AlreadyExists = 17; // EEXIST
        if (OperatingSystem.IsLinux())
        {
            if (Link(temporary, path) == 0 || Marshal.GetLastPInvokeError() == AlreadyExists)
            {
                File.Delete(temporary);
                return;
            }

            // A file system without hard links: the check-then-rename below.
        }

        try
        {
            File.Move(temporary, path, overwrite: false); // one step on Windows (MoveFileEx without REPLACE_EXISTING)
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);

    // Anchored with \z, not $: $ would also accept a trailing newline.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SegmentPattern();
}
