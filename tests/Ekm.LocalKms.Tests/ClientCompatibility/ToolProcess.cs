using System.Diagnostics;
using System.Text;

namespace Ekm.LocalKms.Tests.ClientCompatibility;

/// <summary>What a finished tool printed, and a transcript of the run for assertion messages.</summary>
public sealed record ToolRun(int ExitCode, string Stdout, string Stderr)
{
    public required string CommandLine { get; init; }

    public string Transcript => $"$ {CommandLine}\nexit code {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>
/// A child process with a deadline. Disposing it kills whatever of it still runs, so a hung tool
/// never outlives its test.
/// </summary>
public sealed class ToolProcess : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly string _commandLine;

    private ToolProcess(ProcessStartInfo start)
    {
        _commandLine = string.Join(' ', [start.FileName, .. start.ArgumentList]);
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
    }

    /// <summary>
    /// Runs <paramref name="fileName"/> to its exit. <paramref name="environment"/> sets variables,
    /// and removes inherited ones whose value is null.
    /// </summary>
    public static async Task<ToolRun> RunAsync(string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?> environment, string workingDirectory, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var tool = new ToolProcess(start);
        return await tool.WaitAsync(timeout ?? DefaultTimeout);
    }

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has exited already.
        }

        _process.Dispose();
    }

    private async Task<ToolRun> WaitAsync(TimeSpan timeout)
    {
        // Nothing is ever typed in: a tool that prompts reads end-of-file instead of waiting forever.
        _process.StandardInput.Close();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            var stdout = _process.StandardOutput.ReadToEndAsync(deadline.Token);
            var stderr = _process.StandardError.ReadToEndAsync(deadline.Token);
            await _process.WaitForExitAsync(deadline.Token);
            return new ToolRun(_process.ExitCode, await stdout, await stderr) { CommandLine = _commandLine };
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"'{_commandLine}' did not exit within {timeout.TotalSeconds:0} s.");
        }
    }
}
