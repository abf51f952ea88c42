using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ekm.Problems;

namespace Ekm.Grains.Jobs.Data;

/// <summary>
/// Encrypted backup items on the file system, one file per item version at
/// <c>{root}/{tenantId}/{containerId}/{itemId}/{version}.ekm</c>:
/// <c>"EKM1" | wrapped data key | name | content type | nonce | ciphertext | tag</c>, each variable
/// field prefixed with its length (4 bytes, big-endian). The file carries the wrapped data key so
/// that a restore needs only the tenant key to unwrap it (DESIGN §3).
/// </summary>
public sealed class BackupStore(string root)
{
    private const string Extension = ".ekm";
    private const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    // Longer fields than these are not something this store wrote; refuse before allocating.
    private const int MaxFieldLength = 64 * 1024;

    private static readonly byte[] Magic = "EKM1"u8.ToArray();

    /// <summary>
    /// Encrypts and stores one item version. A version already stored is left as it is, also when
    /// two backups store it at the same moment: versions are immutable, so a restore that listed the
    /// file and unwrapped its data key never finds it replaced under another data key (the soak test
    /// found such restores failing <c>backup-item-corrupt</c>).
    /// </summary>
    public async Task WriteAsync(string tenantId, SourceItem item, byte[] content, byte[] dataKey, byte[] wrappedDataKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(wrappedDataKey);
        var path = PathOf(tenantId, item.ContainerId, item.ItemId, item.Version);
        CheckKey(dataKey);
        if (File.Exists(path))
        {
            return; // the common case, without encrypting for nothing
        }

        var header = Header.Encode(wrappedDataKey, item.Name, item.ContentType, RandomNumberGenerator.GetBytes(NonceSize));
        var ciphertext = new byte[content.Length];
        var tag = new byte[TagSize];
        using (var aes = new AesGcm(dataKey, TagSize))
        {
            aes.Encrypt(header.AsSpan(^NonceSize), content, ciphertext, tag,
                AssociatedData(tenantId, item.ContainerId, item.ItemId, item.Version, header));
        }

        // Only ciphertext reaches the disk: the plaintext never leaves memory.
        await DataPaths.WriteAtomicallyAsync(path, [header, ciphertext, tag], replace: false, cancellationToken);
    }

    /// <summary>Decrypts and verifies one item version.</summary>
    /// <exception cref="EkmProblemException"><see cref="ProblemSlugs.BackupItemCorrupt"/>: the file was altered, belongs to another tenant or item, or <paramref name="dataKey"/> is not its key.</exception>
    /// <exception cref="FileNotFoundException">No such item version is stored.</exception>
    public async Task<byte[]> ReadAsync(string tenantId, StoredItem item, byte[] dataKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        var path = PathOf(tenantId, item.ContainerId, item.ItemId, item.Version);
        CheckKey(dataKey);

        var file = await File.ReadAllBytesAsync(path, cancellationToken);
        var header = Header.Read(new MemoryStream(file), path);
        if (file.Length - header.Length < TagSize)
        {
            throw Corrupt(path);
        }

        var ciphertext = file.AsSpan(header.Length, file.Length - header.Length - TagSize);
        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(dataKey, TagSize);
            aes.Decrypt(file.AsSpan(header.Length - NonceSize, NonceSize), ciphertext, file.AsSpan(^TagSize), plaintext,
                AssociatedData(tenantId, item.ContainerId, item.ItemId, item.Version, file.AsSpan(0, header.Length)));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw Corrupt(path);
        }

        return plaintext;
    }

    /// <summary>The latest stored version of every item of the tenant, or of one container; reads only the headers.</summary>
    public IReadOnlyList<StoredItem> List(string tenantId, string? containerId = null)
    {
        var tenantFolder = DataPaths.Under(root, (tenantId, nameof(tenantId)));
        IEnumerable<string> containerFolders = containerId is null
            ? Folders(tenantFolder)
            : [DataPaths.Under(tenantFolder, (containerId, nameof(containerId)))];

        var items = new List<StoredItem>();
        foreach (var containerFolder in containerFolders)
        {
            foreach (var itemFolder in Folders(containerFolder))
            {
                var latest = Directory.EnumerateFiles(itemFolder, "*" + Extension).Select(VersionOf).DefaultIfEmpty(-1).Max();
                if (latest >= 0)
                {
                    items.Add(ReadEntry(Path.GetFileName(containerFolder), Path.GetFileName(itemFolder), latest, Path.Combine(itemFolder, $"{latest}{Extension}")));
                }
            }
        }

        return items;
    }

    private string PathOf(string tenantId, string containerId, string itemId, int version)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        return Path.Combine(
            DataPaths.Under(root, (tenantId, nameof(tenantId)), (containerId, nameof(containerId)), (itemId, nameof(itemId))),
            $"{version}{Extension}");
    }

    /// <summary>Valid subfolders in a stable order; anything this store would not have created is ignored.</summary>
    private static IEnumerable<string> Folders(string folder) => Directory.Exists(folder)
        ? Directory.EnumerateDirectories(folder).Where(f => DataPaths.IsSegment(Path.GetFileName(f))).Order(StringComparer.Ordinal)
        : [];

    /// <summary>The version a file name stands for, or -1 for temporary and foreign files.</summary>
    private static int VersionOf(string file) =>
        int.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : -1;

    private static StoredItem ReadEntry(string containerId, string itemId, int version, string path)
    {
        using var file = File.OpenRead(path);
        var header = Header.Read(file, path);
        var length = file.Length - header.Length - TagSize;
        if (length < 0)
        {
            throw Corrupt(path);
        }

        return new StoredItem(containerId, itemId, version, header.Name, header.ContentType, length, header.WrappedDataKey);
    }

    private static void CheckKey(byte[] dataKey)
    {
        ArgumentNullException.ThrowIfNull(dataKey);
        if (dataKey.Length != KeySize)
        {
            throw new ArgumentException($"A data key is {KeySize} bytes (AES-256), not {dataKey.Length}.", nameof(dataKey));
        }
    }

    /// <summary>
    /// Binds the ciphertext to where it belongs — tenant, container, item, version — so a file copied
    /// to another tenant or item fails to decrypt, and to the header, so a changed name, content
    /// type or wrapped key is detected too.
    /// </summary>
    private static byte[] AssociatedData(string tenantId, string containerId, string itemId, int version, ReadOnlySpan<byte> header)
    {
        using var data = new MemoryStream();
        foreach (var field in new[] { tenantId, containerId, itemId, version.ToString(CultureInfo.InvariantCulture) })
        {
            Header.WriteField(data, Encoding.UTF8.GetBytes(field));
        }

        data.Write(header);
        return data.ToArray();
    }

    private static EkmProblemException Corrupt(string path) => new(
        ProblemSlugs.BackupItemCorrupt,
        $"The backup item '{Path.GetFileName(Path.GetDirectoryName(path))}' failed its integrity check: it was altered, belongs elsewhere, or was encrypted with another key.");

    private sealed record Header(int Length, byte[] WrappedDataKey, string Name, string ContentType)
    {
        public static byte[] Encode(byte[] wrappedDataKey, string name, string contentType, byte[] nonce)
        {
            using var header = new MemoryStream();
            header.Write(Magic);
            WriteField(header, wrappedDataKey);
            WriteField(header, Encoding.UTF8.GetBytes(name));
            WriteField(header, Encoding.UTF8.GetBytes(contentType));
            header.Write(nonce);
            return header.ToArray();
        }

        public static void WriteField(Stream stream, byte[] value)
        {
            Span<byte> length = stackalloc byte[sizeof(int)];
            BinaryPrimitives.WriteInt32BigEndian(length, value.Length);
            stream.Write(length);
            stream.Write(value);
        }

        /// <summary>Reads the header at the start of <paramref name="stream"/>; a malformed one is corruption, not a crash.</summary>
        public static Header Read(Stream stream, string path)
        {
            try
            {
                var magic = new byte[Magic.Length];
                stream.ReadExactly(magic);
                if (!magic.AsSpan().SequenceEqual(Magic))
                {
                    throw Corrupt(path);
                }

                var wrappedDataKey = ReadField(stream, path);
                var name = Encoding.UTF8.GetString(ReadField(stream, path));
                var contentType = Encoding.UTF8.GetString(ReadField(stream, path));
                stream.ReadExactly(new byte[NonceSize]);
                return new Header(checked((int)stream.Position), wrappedDataKey, name, contentType);
            }
            catch (EndOfStreamException)
            {
                throw Corrupt(path);
            }
        }

        private static byte[] ReadField(Stream stream, string path)
        {
            Span<byte> prefix = stackalloc byte[sizeof(int)];
            stream.ReadExactly(prefix);
            var length = BinaryPrimitives.ReadInt32BigEndian(prefix);
            if (length is < 0 or > MaxFieldLength)
            {
                throw Corrupt(path);
            }

            var value = new byte[length];
            stream.ReadExactly(value);
            return value;
        }
    }
}
