namespace Ekm.Grains.Tests;

/// <summary>A SQLite file of one test's own, in a temporary folder removed afterwards.</summary>
internal sealed class TestDatabase : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ekm-grains-").FullName;

    public string Path => System.IO.Path.Combine(_folder, "ekm.db");

    /// <summary>Idempotent: a fixture may be disposed both as IAsyncLifetime and as IDisposable.</summary>
    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
