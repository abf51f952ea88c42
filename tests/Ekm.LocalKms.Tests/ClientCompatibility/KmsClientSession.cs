namespace Ekm.LocalKms.Tests.ClientCompatibility;

/// <summary>
/// What every client process of one test shares: the local KMS endpoint, a scratch folder, and an
/// environment in which nothing of this machine's AWS setup (profiles, config files, tokens,
/// instance metadata) can stand in for the credentials the test chose.
/// </summary>
public sealed class KmsClientSession : IDisposable
{
    public const string Region = "us-east-1";

    private readonly string _emptyFile;

    public KmsClientSession(Uri endpoint)
    {
        Endpoint = endpoint;
        Folder = Directory.CreateTempSubdirectory("ekm-kms-client-").FullName;
        _emptyFile = Path.Combine(Folder, "empty");
        File.WriteAllText(_emptyFile, "");
    }

    public Uri Endpoint { get; }

    /// <summary>Scratch space, deleted with the session.</summary>
    public string Folder { get; }

    public Dictionary<string, string?> Environment(string accessKeyId, string secretAccessKey)
    {
        var environment = System.Environment.GetEnvironmentVariables().Keys.OfType<string>()
            .Where(name => name.StartsWith("AWS_", StringComparison.Ordinal))
            .ToDictionary(name => name, string? (_) => null);
        environment["AWS_ACCESS_KEY_ID"] = accessKeyId;
        environment["AWS_SECRET_ACCESS_KEY"] = secretAccessKey;
        environment["AWS_REGION"] = Region;
        environment["AWS_CONFIG_FILE"] = _emptyFile;
        environment["AWS_SHARED_CREDENTIALS_FILE"] = _emptyFile;
        environment["AWS_PAGER"] = "";
        environment["AWS_EC2_METADATA_DISABLED"] = "true";
        return environment;
    }

    /// <summary>Writes bytes to a new file in the scratch folder and returns its path.</summary>
    public string WriteFile(byte[] bytes)
    {
        var path = Path.Combine(Folder, $"{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
