namespace Ekm.Host.Hosting;

/// <summary>Options under <c>Ekm</c>: where the host keeps its files.</summary>
public sealed class EkmHostOptions
{
    public const string Section = "Ekm";

    /// <summary>
    /// Folder for the SQLite grain store, the development API key and, later, the local KMS and
    /// backup store. Relative paths resolve against the content root (the project folder under
    /// <c>dotnet run</c>, the application folder when published).
    /// </summary>
    public string DataDirectory { get; set; } = "data";
}
