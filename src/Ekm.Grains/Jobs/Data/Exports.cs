using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Ekm.Grains.Jobs.Data;

/// <summary>The files a download job hands to the customer: zip, mbox and the PST alternative.</summary>
public static class Exports
{
    private const string PstReadme =
        """
        This archive holds the requested mailbox items as .eml files (RFC 5322 messages), one file per message.

        It is offered in place of a PST file: PST is a proprietary format, and .eml files open in Outlook,
        Thunderbird, Apple Mail and most other mail clients, and can be imported into a mailbox from there.

        """;

    private const int HeaderScanLimit = 64 * 1024;

    private static readonly DateTimeOffset FallbackDate = DateTimeOffset.UnixEpoch;

    public static async Task WriteZipAsync(Stream output, IEnumerable<(string Path, byte[] Content)> entries, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        // Create mode writes forward only, so the output may be a response body that cannot seek.
        await using var archive = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct);
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (path, content) in entries)
        {
            await using var stream = await archive.CreateEntry(UniqueName(EntryName(path), taken), CompressionLevel.Optimal).OpenAsync(ct);
            await stream.WriteAsync(content, ct);
        }
    }

    /// <summary>
    /// RFC 4155 mbox in its "mboxrd" variant: every line matching <c>^>*From </c> gains one more
    /// '>', so a reader can undo the quoting exactly (plain mboxo cannot tell a quoted line from an
    /// original "&gt;From "). Line endings become LF.
    /// </summary>
    public static async Task WriteMboxAsync(Stream output, IEnumerable<byte[]> rfc5322Messages, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(rfc5322Messages);
        foreach (var message in rfc5322Messages)
        {
            await output.WriteAsync(MboxEntry(message), ct);
        }
    }

    /// <summary>
    /// Writes a zip of <c>{Name}.eml</c> files and a README instead of a PST file. Decision: we do not
    /// write PST — the format ([MS-PST]) is proprietary, large and only fully read by Outlook — and
    /// .eml files carry the same messages losslessly and import into Outlook and every other client.
    /// </summary>
    public static Task WritePstAlternativeAsync(Stream output, IEnumerable<(string Name, byte[] Message)> messages, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var entries = messages.Select(m => (FileName(m.Name), m.Message))
            .Prepend(("README.txt", Encoding.UTF8.GetBytes(PstReadme)));
        return WriteZipAsync(output, entries, ct);
    }

    /// <summary>Drops empty, "." and ".." segments and leading slashes, so an entry cannot extract outside its folder.</summary>
    private static string EntryName(string path)
    {
        var segments = path.Split('/', '\\').Where(s => s is not ("" or "." or ".."));
        var name = string.Join('/', segments);
        return name.Length > 0 ? name : throw new ArgumentException($"The zip entry path '{path}' has no file name.", nameof(path));
    }

    /// <summary>Subjects and ids make "{name}.eml": keep them readable but free of characters file systems reject.</summary>
    private static string FileName(string name)
    {
        var stem = name.EndsWith(".eml", StringComparison.OrdinalIgnoreCase) ? name[..^4] : name;
        var safe = new string([.. stem.Select(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '-' or '_' or '.' ? c : '_')]).Trim(' ', '.');
        return $"{(safe.Length > 0 ? safe : "message")}.eml";
    }

    /// <summary>Items may share a name ("Budget.docx" in two folders of one drive); an unzip tool would overwrite or stop at a repeated entry.</summary>
    private static string UniqueName(string path, HashSet<string> taken)
    {
        var extension = Path.GetExtension(path);
        var name = path;
        for (var n = 2; !taken.Add(name); n++)
        {
            name = $"{path[..^extension.Length]} ({n}){extension}";
        }

        return name;
    }

    private static byte[] MboxEntry(byte[] message)
    {
        using var entry = new MemoryStream(message.Length + 64);
        entry.Write(Encoding.ASCII.GetBytes($"From MAILER-DAEMON {AscTime(DateOf(message))}\n"));
        var rest = message.AsSpan();
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            if (line.EndsWith("\r"u8))
            {
                line = line[..^1];
            }

            if (line.TrimStart((byte)'>').StartsWith("From "u8))
            {
                entry.WriteByte((byte)'>');
            }

            entry.Write(line);
            entry.WriteByte((byte)'\n');
        }

        // The blank line that ends every message, so a reader can strip exactly one newline.
        entry.WriteByte((byte)'\n');
        return entry.ToArray();
    }

    /// <summary>The message's Date header (RFC 5322) in UTC, or a fixed epoch when it has none or it does not parse.</summary>
    private static DateTimeOffset DateOf(byte[] message)
    {
        // Headers come first; decoding a bounded prefix spares turning a large attachment into a string.
        using var reader = new StringReader(Encoding.UTF8.GetString(message, 0, Math.Min(message.Length, HeaderScanLimit)));
        for (var line = reader.ReadLine(); !string.IsNullOrEmpty(line); line = reader.ReadLine())
        {
            if (line.StartsWith("Date:", StringComparison.OrdinalIgnoreCase)
                && DateTimeOffset.TryParse(line[5..].Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            {
                return date.ToUniversalTime();
            }
        }

        return FallbackDate;
    }

    /// <summary>C <c>asctime</c>: "Tue Mar  5 14:03:00 2024", the day space-padded.</summary>
    private static string AscTime(DateTimeOffset utc) =>
        string.Create(CultureInfo.InvariantCulture, $"{utc:ddd MMM} {utc.Day,2} {utc:HH:mm:ss yyyy}");
}
