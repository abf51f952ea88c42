namespace Ekm.EndToEnd.Tests;

/// <summary>A fact that drives the console in Debian's Chromium; skipped, saying why, where it is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        Skip = Chromium.Missing;
    }
}

/// <summary>The system Chromium (Debian package <c>chromium</c>): Playwright never downloads a browser here.</summary>
internal static class Chromium
{
    private const string DebianPath = "/usr/bin/chromium";

    public static string? ExecutablePath { get; } = File.Exists(DebianPath) ? DebianPath : OnPath("chromium");

    /// <summary>Why the console tests cannot run here, or null when they can.</summary>
    public static string? Missing => ExecutablePath is null
        ? "Chromium is not installed (Debian package 'chromium', /usr/bin/chromium); .ci/run installs it."
        : null;

    private static string? OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, tool))
            .FirstOrDefault(File.Exists);
}
