using System.Diagnostics;
using System.Globalization;
using Ekm.Cli.Text;

namespace Ekm.Cli.Demo;

/// <summary>What happened, who did it and when: printed as it happens (text) or kept for one JSON document.</summary>
internal sealed class Timeline(TextWriter output, bool print)
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly List<TimelineEntry> _entries = [];

    public IReadOnlyList<TimelineEntry> Entries => _entries;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);

    public void Add(string actor, string text)
    {
        var entry = new TimelineEntry(DateTimeOffset.UtcNow, Math.Round(Elapsed.TotalSeconds, 3), actor, text);
        _entries.Add(entry);
        if (print)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Format.Clock(entry.At)}  +{entry.Seconds,6:0.00}s  {actor,-9} {text}"));
            output.Flush();
        }
    }
}

internal sealed record TimelineEntry(DateTimeOffset At, double Seconds, string Actor, string Text);
