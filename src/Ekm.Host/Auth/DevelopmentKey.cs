using System.Text.Json;
using Ekm.Host.Hosting;
using Microsoft.Extensions.Options;

namespace Ekm.Host.Auth;

/// <summary>
/// The embedded host's development API key: generated on first start with every role, printed
/// once, and kept in the data directory only as its hash. Delete the file to issue a new key.
/// </summary>
internal sealed class DevelopmentKey
{
    public const string HolderName = "development";

    private readonly DateTimeOffset _issuedAt;

    public DevelopmentKey(IOptions<AuthOptions> options, HostPaths paths, TimeProvider time)
    {
        FilePath = paths.DevelopmentKeyFile;
        if (!options.Value.DevelopmentKey)
        {
            return;
        }

        if (File.Exists(FilePath))
        {
            var stored = JsonSerializer.Deserialize<StoredKey>(File.ReadAllText(FilePath));
            if (stored is not null && ApiKeyHash.TryParse(stored.Sha256, out var hash))
            {
                Hash = hash;
                return;
            }
        }

        NewlyIssuedKey = ApiKeyHash.NewKey("ekm_dev_");
        Hash = ApiKeyHash.Of(NewlyIssuedKey);
        _issuedAt = time.GetUtcNow();
    }

    public string FilePath { get; }

    /// <summary>The key's hash, or null when development keys are off.</summary>
    public byte[]? Hash { get; }

    /// <summary>The plaintext key, only in the process that generated it (to print it once).</summary>
    public string? NewlyIssuedKey { get; }

    /// <summary>
    /// Stores a newly issued key's hash, just before the banner shows the key: a start that fails
    /// earlier (a port taken at bind) stores nothing, so the next start issues a key and shows it.
    /// </summary>
    public void Keep()
    {
        if (NewlyIssuedKey is null)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        var json = JsonSerializer.Serialize(new StoredKey(Convert.ToHexStringLower(Hash!), _issuedAt));
        var temp = FilePath + ".tmp";
        File.WriteAllText(temp, json);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temp, FilePath, overwrite: true);
    }

    private sealed record StoredKey(string Sha256, DateTimeOffset CreatedAt);
}
