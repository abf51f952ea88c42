using System.Text.Json;

namespace Ekm.Cli.Tests;

/// <summary>Runs <c>ekm</c> in process through the same entry <c>Program.Main</c> uses, capturing stdout and stderr.</summary>
internal static class CliRun
{
    public static async Task<CliResult> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await Cli.RunAsync(args, output, error, terminal: false, cancellationToken);
        return new CliResult(args, exitCode, output.ToString(), error.ToString());
    }
}

internal sealed record CliResult(string[] Args, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Asserts the exit code, showing the whole run if it differs.</summary>
    public CliResult Exits(int expected)
    {
        Assert.True(ExitCode == expected, $"ekm {string.Join(' ', Args)}\nexpected exit {expected}, got {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        return this;
    }

    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Stdout);
        return document.RootElement.Clone();
    }

    /// <summary>The first line of stdout (an ARN or a job id).</summary>
    public string FirstLine => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
}
