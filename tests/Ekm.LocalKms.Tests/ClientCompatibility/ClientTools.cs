using Ekm.Testing;

namespace Ekm.LocalKms.Tests.ClientCompatibility;

/// <summary>Where the non-.NET KMS clients live on this machine, and why a test cannot use one.</summary>
public static class ClientTools
{
    /// <summary>The folder holding <c>tests/clients/js/kms.mjs</c>, or null outside the repository.</summary>
    public static string? JsClientFolder => RepoRoot.Folder is { } root ? Path.Combine(root, "tests", "clients", "js") : null;

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
}
