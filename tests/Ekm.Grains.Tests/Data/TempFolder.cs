namespace Ekm.Grains.Tests.Data;

/// <summary>A folder of one test's own, removed afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ekm-data-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
