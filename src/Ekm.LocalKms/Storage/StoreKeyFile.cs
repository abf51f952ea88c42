using System.Security.Cryptography;

namespace Ekm.LocalKms.Storage;

/// <summary>
/// The store key kept in a file beside the database (<c>{database}.key</c>, base64 of 32 random
/// bytes, mode 0600), for when no <c>StoreKey</c> setting is given.
/// </summary>
/// <remarks>
/// A key beside the data it locks is still worth having: copies of the database alone — a backup
/// job, a support bundle, a stray <c>cp</c> — no longer carry readable key material, and a
/// deployment that sets <c>StoreKey</c> from a secret store keeps the two apart altogether (the
/// file holds the same base64 text the setting takes, so moving it there is a copy). It does not
/// protect against someone who can read the whole data directory, or the running process: they
/// have the key file too.
/// </remarks>
internal static class StoreKeyFile
{
    public static string PathFor(string dataFile) => Path.GetFullPath(dataFile) + ".key";

    /// <summary>The key in the file, or null when there is no file.</summary>
    /// <exception cref="InvalidDataException">The file is not a store key.</exception>
    public static byte[]? TryRead(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        // The file's content is never quoted back: it is (or is meant to be) a secret.
        return TryDecode(File.ReadAllText(path).Trim())
            ?? throw new InvalidDataException($"The store key file {path} does not hold a store key (base64 of {StoreSealer.KeySize} bytes): restore the original file.");
    }

    /// <summary>
    /// Writes a new random key, readable by this user only from the first byte, and renames it into
    /// place so a crash never leaves a half-written key. If another process got there first, its key wins.
    /// </summary>
    public static byte[] Create(string path)
    {
        var key = RandomNumberGenerator.GetBytes(StoreSealer.KeySize);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var file = new FileStream(temporary, options))
            using (var writer = new StreamWriter(file))
            {
                writer.Write(Convert.ToBase64String(key) + "\n");
                writer.Flush();
                file.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                // The create mode is filtered by the umask; say 0600 explicitly.
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.Move(temporary, path, overwrite: false);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            CryptographicOperations.ZeroMemory(key);
            return TryRead(path)!;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The 32 bytes a base64 text stands for, or null when it is not base64 of exactly 32 bytes.</summary>
    public static byte[]? TryDecode(string? base64)
    {
        var buffer = new byte[StoreSealer.KeySize + 3];
        try
        {
            return !string.IsNullOrWhiteSpace(base64) && Convert.TryFromBase64String(base64.Trim(), buffer, out var written) && written == StoreSealer.KeySize
                ? buffer[..StoreSealer.KeySize]
                : null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }
}
