using System.Runtime.CompilerServices;

namespace Ekm.Testing;

/// <summary>
/// The folder holding <c>Ekm.Orleans.sln</c>, for tests that read files of the repository (SQL
/// scripts, the JavaScript client). Found by walking up from the test binaries; when they were built
/// elsewhere (<c>--artifacts-path</c>), from this source file, whose path the compiler records.
/// </summary>
internal static class RepoRoot
{
    private const string SolutionFile = "Ekm.Orleans.sln";

    private static readonly Lazy<string?> Found = new(() => Above(AppContext.BaseDirectory) ?? Above(Path.GetDirectoryName(SourcePath())));

    /// <summary>The repository's root folder, or null outside the repository.</summary>
    public static string? Folder => Found.Value;

    /// <summary>The repository's root folder; outside the repository, an exception saying so.</summary>
    public static string Require() =>
        Folder ?? throw new InvalidOperationException($"No folder holding {SolutionFile} above {AppContext.BaseDirectory}.");

    private static string? Above(string? start)
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
