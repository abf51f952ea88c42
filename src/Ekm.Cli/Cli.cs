using System.CommandLine;
using System.CommandLine.Help;
using Ekm.Cli.Commands;

namespace Ekm.Cli;

/// <summary>
/// The <c>ekm</c> command line. <see cref="Program"/> runs it on the console; tests run it in
/// process with writers of their own.
/// </summary>
internal static class Cli
{
    /// <param name="args">The command line.</param>
    /// <param name="output">Results (the API's JSON with <c>--output json</c>).</param>
    /// <param name="error">Errors as <c>error: DETAIL (SLUG)</c>, and notes for people.</param>
    /// <param name="terminal">Whether <paramref name="output"/> is a terminal (progress bars redraw a line).</param>
    /// <param name="cancellationToken">Ctrl+C: commands stop, <c>ekm demo</c> stops its host; exit 130.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool terminal = false, CancellationToken cancellationToken = default)
    {
        var options = new GlobalOptions();
        var runner = new CommandRunner(options, output, error, terminal);
        var root = new RootCommand(
            "ekm: Enterprise Key Management (bring your own key) from the command line — tenant admin, support and operator " +
            "commands against the service's API, the customer's side of AWS KMS, and a demo of the whole story.");
        foreach (var option in options.All)
        {
            root.Options.Add(option);
        }

        foreach (var command in TenantCommands.Create(runner)
            .Append(SupportCommands.Create(runner))
            .Append(OperatorCommands.Create(runner))
            .Append(JobCommands.Create(runner))
            .Append(AwsCommands.Create(runner))
            .Append(DemoCommand.Create(runner)))
        {
            root.Subcommands.Add(command);
        }

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            if (WantsJson(parse, options))
            {
                await output.WriteLineAsync(Api.ApiJson.Print(Api.ApiProblem.Describe("usage", string.Join(" ", parse.Errors.Select(e => e.Message)))));
            }

            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync($"error: {problem.Message} (usage)");
            }

            await error.WriteLineAsync("Run 'ekm --help' (or 'ekm COMMAND --help') for usage.");
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
            // Program turns Ctrl+C and SIGTERM into the cancellation token.
            ProcessTerminationTimeout = null,
        };
        return await parse.InvokeAsync(invocation, cancellationToken);
    }

    private static bool WantsJson(ParseResult parse, GlobalOptions options)
    {
        try
        {
            return parse.GetValue(options.Output) == "json";
        }
        catch (InvalidOperationException)
        {
            // --output itself is what was wrong.
            return false;
        }
    }
}
