using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Ekm.Grains.Jobs.Data;
using Ekm.Jobs;

namespace Ekm.Grains.Tests.Data;

public sealed partial class ExportsTests
{
    [Fact]
    public async Task WriteZip_ProductItems_ReadBackByteIdentical()
    {
        var entries = SyntheticSourceTests.Snapshot("contoso", Product.GoogleWorkspace)
            .Select(s => (Path: $"{s.Item.ContainerId}/{s.Item.ItemId}/{s.Item.Name}", s.Content))
            .ToList();
        using var output = new MemoryStream();

        await Exports.WriteZipAsync(output, entries);

        Assert.Equal(entries.Select(e => (e.Path, Convert.ToHexString(e.Content))), ReadZip(output.ToArray()).Select(e => (e.Path, Convert.ToHexString(e.Content))));
    }

    [Theory]
    [InlineData("../../etc/passwd", "etc/passwd")]
    [InlineData("/root/file.txt", "root/file.txt")]
    [InlineData("a\\..\\..\\b.txt", "a/b.txt")]
    [InlineData("a/./b//c.txt", "a/b/c.txt")]
    public async Task WriteZip_EscapingPath_EntryStaysInside(string path, string expected)
    {
        using var output = new MemoryStream();

        await Exports.WriteZipAsync(output, [(path, [42])]);

        Assert.Equal(expected, Assert.Single(ReadZip(output.ToArray())).Path);
    }

    [Fact]
    public async Task WriteZip_RepeatedPath_NumberedEntries()
    {
        using var output = new MemoryStream();

        await Exports.WriteZipAsync(output, [("site/Budget.docx", [1]), ("site/budget.docx", [2]), ("site/Budget.docx", [3])]);

        Assert.Equal(["site/Budget.docx", "site/budget (2).docx", "site/Budget (3).docx"], ReadZip(output.ToArray()).Select(e => e.Path));
    }

    [Fact]
    public async Task WriteMbox_MailboxMessages_ParseBackByteIdentical()
    {
        var messages = SyntheticSourceTests.Snapshot("contoso", Product.Microsoft365)
            .Where(s => s.Item.ContentType == "message/rfc822")
            .Select(s => s.Content)
            .ToList();
        using var output = new MemoryStream();

        await Exports.WriteMboxAsync(output, messages);

        var mbox = Encoding.UTF8.GetString(output.ToArray());
        Assert.Contains("\n>From the notes", mbox, StringComparison.Ordinal);
        Assert.Contains("\n>>From what I remember", mbox, StringComparison.Ordinal);
        Assert.Equal(messages.Select(Encoding.UTF8.GetString), ParseMbox(mbox));
    }

    [Theory]
    [InlineData("Date: Tue, 05 Mar 2024 14:03:00 +0000\n", "Tue Mar  5 14:03:00 2024")]
    [InlineData("Date: Sat, 23 Nov 2024 01:30:00 +0200\n", "Fri Nov 22 23:30:00 2024")]
    [InlineData("", "Thu Jan  1 00:00:00 1970")]
    [InlineData("Date: not a date\n", "Thu Jan  1 00:00:00 1970")]
    public async Task WriteMbox_DateHeader_AsctimeUtcSeparator(string dateHeader, string asctime)
    {
        using var output = new MemoryStream();

        await Exports.WriteMboxAsync(output, [Encoding.UTF8.GetBytes($"{dateHeader}Subject: hi\n\nbody\n")]);

        Assert.StartsWith($"From MAILER-DAEMON {asctime}\n", Encoding.UTF8.GetString(output.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteMbox_CrlfMessage_LfLinesAndBlankLineAfter()
    {
        using var output = new MemoryStream();

        await Exports.WriteMboxAsync(output, [Encoding.UTF8.GetBytes("Subject: a\r\n\r\nFrom here\r\nend")]);

        Assert.Equal("From MAILER-DAEMON Thu Jan  1 00:00:00 1970\nSubject: a\n\n>From here\nend\n\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task WritePstAlternative_Messages_ZipOfEmlFilesAndReadme()
    {
        byte[] first = [1, 2, 3];
        byte[] second = [4, 5];
        using var output = new MemoryStream();

        await Exports.WritePstAlternativeAsync(output, [("Re: Budget/Q3", first), ("Re: Budget/Q3", second), ("msg-1.eml", [6])]);

        var entries = ReadZip(output.ToArray());
        Assert.Equal(["README.txt", "Re_ Budget_Q3.eml", "Re_ Budget_Q3 (2).eml", "msg-1.eml"], entries.Select(e => e.Path));
        Assert.Contains("in place of a PST", Encoding.UTF8.GetString(entries[0].Content), StringComparison.Ordinal);
        Assert.Equal(first, entries[1].Content);
        Assert.Equal(second, entries[2].Content);
    }

    private static List<(string Path, byte[] Content)> ReadZip(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return [.. archive.Entries.Select(entry =>
        {
            using var stream = entry.Open();
            using var content = new MemoryStream();
            stream.CopyTo(content);
            return (entry.FullName, content.ToArray());
        })];
    }

    /// <summary>An independent mboxrd reader: split at "From " lines, drop the blank line each message ends with, un-quote one '>'.</summary>
    private static List<string> ParseMbox(string mbox)
    {
        var messages = new List<StringBuilder>();
        foreach (var line in mbox.Split('\n')[..^1])
        {
            if (line.StartsWith("From ", StringComparison.Ordinal))
            {
                messages.Add(new StringBuilder());
            }
            else
            {
                messages[^1].Append(QuotedFrom().Replace(line, "$1")).Append('\n');
            }
        }

        return [.. messages.Select(m => m.ToString()[..^1])];
    }

    [GeneratedRegex("^>(>*From )")]
    private static partial Regex QuotedFrom();
}
