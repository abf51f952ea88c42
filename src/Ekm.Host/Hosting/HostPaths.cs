using Microsoft.Extensions.Options;

namespace Ekm.Host.Hosting;

/// <summary>Absolute paths derived from <see cref="EkmHostOptions"/> and the content root.</summary>
internal sealed class HostPaths(IOptions<EkmHostOptions> options, IHostEnvironment environment)
{
    public string DataDirectory { get; } = Resolve(options.Value.DataDirectory, environment.ContentRootPath);

    public string SqliteDatabase => Path.Combine(DataDirectory, "ekm.db");

    public string DevelopmentKeyFile => Path.Combine(DataDirectory, "development-api-key.json");

    public string LocalKmsDatabase => Path.Combine(DataDirectory, "localkms.db");

    public static string Resolve(string dataDirectory, string contentRoot) =>
        Path.GetFullPath(Path.Combine(contentRoot, dataDirectory));
}
