using System.Text.Json;
using Ekm.Cli.Api;

namespace Ekm.Cli;

/// <summary>
/// A failure the CLI reports as <c>error: DETAIL (SLUG)</c> on stderr and ends with
/// <see cref="ExitCode"/>; with <c>--output json</c>, <see cref="Json"/> (a problem) goes to stdout too.
/// </summary>
internal sealed class CliException : Exception
{
    public CliException(int exitCode, string slug, string detail, JsonElement? json = null, Exception? innerException = null)
        : base(detail, innerException)
    {
        ExitCode = exitCode;
        Slug = slug;
        Json = json;
    }

    public CliException()
        : this(ExitCodes.Unexpected, "unexpected", "unexpected failure")
    {
    }

    public CliException(string message)
        : this(ExitCodes.Unexpected, "unexpected", message)
    {
    }

    public CliException(string message, Exception innerException)
        : this(ExitCodes.Unexpected, "unexpected", message, null, innerException)
    {
    }

    public int ExitCode { get; }

    public string Slug { get; }

    public JsonElement? Json { get; }

    public static CliException Usage(string detail) => new(ExitCodes.Usage, "usage", detail);

    public static CliException From(ApiProblem problem) => new(problem.ExitCode, problem.Type, problem.Detail, problem.Json);
}
