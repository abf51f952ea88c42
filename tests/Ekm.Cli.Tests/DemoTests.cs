using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Ekm.Cli.Tests;

/// <summary><c>ekm demo</c> end to end: its own child host (Ekm.Host.dll beside ekm in this test's output folder).</summary>
public sealed partial class DemoTests
{
    [Fact]
    public async Task Demo_OwnChildHost_ExitsZeroAndTellsTheRevocationAndTheRecovery()
    {
        var result = (await CliRun.RunAsync(["demo"])).Exits(0);

        var timeline = result.Stdout;
        Assert.Contains("DISABLED the key", timeline, StringComparison.Ordinal);
        Assert.Matches(@"operation (\d+) FINISHED after the key was disabled", timeline);
        Assert.Matches(@"operation \d+ refused with key-revoked; the job FAILED there", timeline);
        Assert.Contains("FAILED at once: operation 1 refused with key-revoked", timeline, StringComparison.Ordinal);
        Assert.Contains("tenant key health: Revoked (key-disabled)", timeline, StringComparison.Ordinal);
        Assert.Contains("ENABLED the key again", timeline, StringComparison.Ordinal);
        Assert.Contains("health check: Healthy: the tenant recovered", timeline, StringComparison.Ordinal);
        Assert.Matches(@"backup after recovery [0-9a-f]{8} succeeded: (\d+)/\1 operations", timeline);
        Assert.Contains("host stopped", timeline, StringComparison.Ordinal);

        // The events are in story order.
        var order = new[] { "activated", "created symmetric key", "validated", "enabled", "backup", "restore", "DISABLED", "key-revoked", "ENABLED the key again", "Healthy", "backup after recovery" };
        var positions = order.Select(s => timeline.IndexOf(s, StringComparison.Ordinal)).ToList();
        Assert.Equal(positions.Order(), positions);
    }

    [Fact]
    public async Task Demo_CtrlC_StopsTheChildHostAndExits130()
    {
        using var output = new LineSignal(HostReady());
        using var error = new StringWriter();
        using var stop = new CancellationTokenSource();

        var run = Cli.RunAsync(["demo"], output, error, terminal: false, stop.Token);
        var ready = await output.Matched.WaitAsync(TimeSpan.FromSeconds(90));
        using var child = Process.GetProcessById(int.Parse(ready.Groups[1].Value, CultureInfo.InvariantCulture));
        stop.Cancel();
        var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 130, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains("error: Interrupted. (interrupted)", error.ToString(), StringComparison.Ordinal);
        Assert.True(child.HasExited, "the child host is still running");
        Assert.Contains("host stopped", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_HostDllMissing_Exits2SayingHowToGiveIt()
    {
        var result = (await CliRun.RunAsync(["demo", "--host-dll", "/nonexistent/Ekm.Host.dll"])).Exits(2);

        Assert.Contains("--host-dll", result.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("(usage)", result.Stderr.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_UrlWithoutApiKey_Exits2()
    {
        var result = (await CliRun.RunAsync(["demo", "--url", "http://127.0.0.1:1"])).Exits(2);

        Assert.Contains("--api-key", result.Stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"host pid (\d+) ready at")]
    private static partial Regex HostReady();

    /// <summary>Collects what is written and signals the first line matching a pattern.</summary>
    private sealed class LineSignal(Regex pattern) : StringWriter(CultureInfo.InvariantCulture)
    {
        private readonly TaskCompletionSource<Match> _matched = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<Match> Matched => _matched.Task;

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && pattern.Match(value) is { Success: true } match)
            {
                _matched.TrySetResult(match);
            }
        }
    }
}
