namespace Ekm.Cli.Demo;

/// <summary>
/// Finds <c>Ekm.Host.dll</c> for <c>ekm demo</c>: given, beside <c>ekm</c> (a test or publish
/// folder holding both), or in the same build layout with the host's project in place of the CLI's.
/// </summary>
internal static class HostLocator
{
    public const string Variable = "EKM_HOST_DLL";
    public const string FileName = "Ekm.Host.dll";

    public static string Find(string? given, string baseDirectory)
    {
        if (given is not null)
        {
            var path = Directory.Exists(given) ? Path.Combine(given, FileName) : given;
            return File.Exists(path) ? Path.GetFullPath(path) : throw CliException.Usage($"--host-dll: there is no {path}.");
        }

        return Candidates(baseDirectory).FirstOrDefault(File.Exists) is { } found
            ? Path.GetFullPath(found)
            : throw CliException.Usage(
                $"Cannot find {FileName} near {baseDirectory}: build the host (dotnet build src/Ekm.Host) and give --host-dll PATH " +
                $"(or set {Variable}), or run the demo against a running host with --url and an --api-key that has every role.");
    }

    /// <summary>
    /// <c>src/Ekm.Cli/bin/Debug/net10.0</c> → <c>src/Ekm.Host/bin/Debug/net10.0</c>;
    /// <c>artifacts/bin/Ekm.Cli/debug</c> → <c>artifacts/bin/Ekm.Host/debug</c>.
    /// </summary>
    public static IEnumerable<string> Candidates(string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(baseDirectory);
        yield return Path.Combine(baseDirectory, FileName);
        var parts = Path.TrimEndingDirectorySeparator(baseDirectory).Split(Path.DirectorySeparatorChar);
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            if (parts[i] == "Ekm.Cli")
            {
                var sibling = (string[])parts.Clone();
                sibling[i] = "Ekm.Host";
                yield return Path.Combine(string.Join(Path.DirectorySeparatorChar, sibling), FileName);
            }
        }
    }
}
