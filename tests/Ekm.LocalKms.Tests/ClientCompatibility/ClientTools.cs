using System.Runtime.CompilerServices;

namespace Ekm.LocalKms.Tests.ClientCompatibility;

/// <summary>Where the non-.NET KMS clients live on this machine, and why a test cannot use one.</summary>
public static class ClientTools
{
    private const string SolutionFile = "Ekm.Orleans.sln";

    private static readonly Lazy<string?> Root = new(FindRepoRoot);

    /// <summary>The folder holding <c>tests/clients/js/kms.mjs</c>, or null outside the repository.</summary>
    public static string? JsClientFolder => Root.Value is { } root ? Path.Combine(root, "tests", "clients", "js") : null;

    /// <summary>Why the AWS CLI tests cannot run here, or null when they can.</summary>
    public static string? AwsCliMissing =>
        IsOnPath("aws") ? null : "The AWS CLI (aws) is not on PATH; .ci/run installs it.";

    /// <summary>Why the AWS SDK for JavaScript tests cannot run here, or null when they can.</summary>
    public static string? NodeKmsMissing =>
        !IsOnPath("node") ? "node is not on PATH; .ci/run installs it."
        : JsClientFolder is not { } folder || !File.Exists(Path.Combine(folder, "node_modules", "@aws-sdk", "client-kms", "package.json"))
            ? "tests/clients/js/node_modules/@aws-sdk/client-kms is missing; .ci/run installs it (npm ci)."
            : null;

    private static bool IsOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, tool)));

    /// <summary>
    /// Walks up from the test binaries; when they were built elsewhere (<c>--artifacts-path</c>),
    /// from this source file, which the compiler records where it was built.
    /// </summary>
    private static string? FindRepoRoot() => Ancestors(AppContext.BaseDirectory) ?? Ancestors(Path.GetDirectoryName(SourcePath()));

    private static string? Ancestors(string? start)
    {
        for (var folder = start; !string.IsNullOrEmpty(folder); folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(Path.Combine(folder, SolutionFile)))
            {
                return folder;
            }
        }

        return null;
    }

    private static string SourcePath([CallerFilePath] string path = "") => path;
}
