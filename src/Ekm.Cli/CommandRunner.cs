using System.CommandLine;
using System.Text.Json;
using Amazon.Runtime;
using Ekm.Cli.Aws;

namespace Ekm.Cli;

/// <summary>
/// Runs a command's action with a <see cref="CliContext"/> and turns every failure into the one
/// error line and exit code documented in docs/cli.md.
/// </summary>
internal sealed class CommandRunner(GlobalOptions options, TextWriter output, TextWriter error, bool terminal)
{
    public GlobalOptions Options => options;

    public void Action(Command command, Func<CliContext, CancellationToken, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var context = new CliContext(parse, options, output, error, terminal);
            try
            {
                return await run(context, cancellationToken);
            }
            catch (CliException ex)
            {
                return Report(context, ex);
            }
            catch (AmazonServiceException ex)
            {
                return Report(context, KmsErrors.ToCliException(ex));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Report(context, new CliException(ExitCodes.Interrupted, "interrupted", "Interrupted."));
            }
            catch (Exception ex) when (ex is JsonException or HttpRequestException or IOException or InvalidOperationException)
            {
                // A bug or an answer that is not the API's: one line, not a stack trace; exit 1.
                return Report(context, new CliException(ExitCodes.Unexpected, "unexpected", $"{ex.GetType().Name}: {ex.Message}", null, ex));
            }
        });
    }

    public static int Report(CliContext context, CliException failure)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(failure);
        if (context.Json)
        {
            context.WriteJson(failure.Json ?? Api.ApiProblem.Describe(failure.Slug, failure.Message));
        }

        context.Err.WriteLine($"error: {failure.Message} ({failure.Slug})");
        return failure.ExitCode;
    }
}
