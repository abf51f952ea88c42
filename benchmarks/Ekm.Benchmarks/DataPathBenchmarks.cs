using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Ekm.Grains.Jobs.Data;
using Ekm.Grains.Keys;

namespace Ekm.Benchmarks;

/// <summary>
/// The data path of a backup item, side by side with raw .NET <see cref="AesGcm"/> on the same
/// buffers: encrypt+store (<see cref="BackupStore.WriteAsync"/>: header, associated data, a fresh
/// <see cref="AesGcm"/> per item, atomic temp file + fsync + publish under a new name) and
/// read+decrypt (<see cref="BackupStore.ReadAsync"/>). Two raw baselines with file I/O separate the
/// store's own cost from what any durable file store pays. Public and unsealed: BenchmarkDotNet derives from it.
/// </summary>
/// <remarks>
/// A stored version never changes (a second write of it is skipped), so each store write first
/// deletes the version the previous one stored, and the durable baseline deletes its file the same
/// way: both measure a write to a name that is free, plus one unlink.
/// </remarks>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class DataPathBenchmarks : IDisposable
{
    public const string Write = "encrypt+store";
    public const string Read = "read+decrypt";

    private const string Tenant = "bench-tenant";
    private const string Container = "mailbox-1";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private byte[] _plaintext = [];
    private byte[] _dataKey = [];
    private byte[] _wrappedDataKey = [];
    private AesGcm? _aes;

    // nonce | ciphertext | tag, the raw baselines' whole "file", encrypted in place.
    private byte[] _sealed = [];

    // The same layout, encrypted once at setup, for the raw decrypt.
    private byte[] _stored = [];
    private byte[] _opened = [];

    private string _folder = "";
    private BackupStore _store = null!;
    private SourceItem _writeItem = null!;
    private string _writtenPath = "";
    private StoredItem _readItem = null!;

    public static IEnumerable<ItemSize> Sizes => [new(4 * 1024), new(64 * 1024), new(1024 * 1024), new(4 * 1024 * 1024)];

    public static IEnumerable<StoreRoot> Stores => StoreRoot.All;

    [ParamsSource(nameof(Sizes))]
    public ItemSize Size { get; set; } = new(4 * 1024);

    [ParamsSource(nameof(Stores))]
    public StoreRoot Store { get; set; } = StoreRoot.All[0];

    private string RawPath => Path.Combine(_folder, "raw.bin");

    private string DurablePath => Path.Combine(_folder, "durable.bin");

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateDirectory(Path.Combine(Store.Path, $"ekm-bench-data-path-{Environment.ProcessId}")).FullName;
        _plaintext = RandomNumberGenerator.GetBytes(Size.Bytes);
        _dataKey = TenantKeyCrypto.NewDataKey();
        _wrappedDataKey = TenantKeyCrypto.Wrap(RandomNumberGenerator.GetBytes(32), _dataKey, Tenant);
        _aes = new AesGcm(_dataKey, TagSize);
        _sealed = new byte[NonceSize + Size.Bytes + TagSize];
        _opened = new byte[Size.Bytes];
        _stored = new byte[_sealed.Length];
        Seal(_stored);
        File.WriteAllBytes(RawPath, _stored);

        _store = new BackupStore(Path.Combine(_folder, "store"));
        _writeItem = new SourceItem(Container, "item-written", 1, "message.eml", "message/rfc822", Size.Bytes);
        _writtenPath = Path.Combine(_folder, "store", Tenant, Container, _writeItem.ItemId, $"{_writeItem.Version}.ekm");
        var readItem = _writeItem with { ItemId = "item-read" };
        _store.WriteAsync(Tenant, readItem, _plaintext, _dataKey, _wrappedDataKey).GetAwaiter().GetResult();
        _readItem = new StoredItem(readItem.ContainerId, readItem.ItemId, readItem.Version, readItem.Name, readItem.ContentType, readItem.Length, _wrappedDataKey);

        // The write benchmark deletes _writtenPath first; were it not the store's file, it would time the skipped second write.
        _store.WriteAsync(Tenant, _writeItem, _plaintext, _dataKey, _wrappedDataKey).GetAwaiter().GetResult();
        if (!File.Exists(_writtenPath))
        {
            throw new InvalidOperationException($"BackupStore did not write {_writtenPath}: the benchmark would measure nothing.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aes?.Dispose();
            _aes = null;
        }
    }

    [Benchmark(Baseline = true, Description = "AesGcm encrypt")]
    [BenchmarkCategory(Write)]
    public byte[] RawEncrypt()
    {
        Seal(_sealed);
        return _sealed;
    }

    [Benchmark(Description = "AesGcm + File.WriteAllBytes")]
    [BenchmarkCategory(Write)]
    public void RawEncryptWriteAllBytes()
    {
        Seal(_sealed);
        File.WriteAllBytes(RawPath, _sealed);
    }

    /// <summary>What any crash-safe file store pays: the store's durability contract without its format.</summary>
    [Benchmark(Description = "AesGcm + temp file, fsync, rename")]
    [BenchmarkCategory(Write)]
    public void RawEncryptDurable()
    {
        File.Delete(DurablePath);
        Seal(_sealed);
        var temporary = DurablePath + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1))
        {
            file.Write(_sealed);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, DurablePath, overwrite: true);
    }

    [Benchmark(Description = "BackupStore.WriteAsync")]
    [BenchmarkCategory(Write)]
    public Task StoreWrite()
    {
        File.Delete(_writtenPath);
        return _store.WriteAsync(Tenant, _writeItem, _plaintext, _dataKey, _wrappedDataKey);
    }

    [Benchmark(Baseline = true, Description = "AesGcm decrypt")]
    [BenchmarkCategory(Read)]
    public byte[] RawDecrypt()
    {
        Open(_stored);
        return _opened;
    }

    [Benchmark(Description = "File.ReadAllBytes + AesGcm")]
    [BenchmarkCategory(Read)]
    public byte[] RawReadDecrypt()
    {
        Open(File.ReadAllBytes(RawPath));
        return _opened;
    }

    [Benchmark(Description = "BackupStore.ReadAsync")]
    [BenchmarkCategory(Read)]
    public Task<byte[]> StoreRead() => _store.ReadAsync(Tenant, _readItem, _dataKey);

    /// <summary>A fresh random nonce, as every correct encryption needs, then AES-256-GCM in place.</summary>
    private void Seal(byte[] buffer)
    {
        var nonce = buffer.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        _aes!.Encrypt(nonce, _plaintext, buffer.AsSpan(NonceSize, _plaintext.Length), buffer.AsSpan(NonceSize + _plaintext.Length, TagSize));
    }

    private void Open(byte[] buffer) =>
        _aes!.Decrypt(buffer.AsSpan(0, NonceSize), buffer.AsSpan(NonceSize, _opened.Length), buffer.AsSpan(NonceSize + _opened.Length, TagSize), _opened);
}

/// <summary>An item size as the table shows it; ordered by size (BenchmarkDotNet sorts parameters that compare).</summary>
public sealed record ItemSize(int Bytes) : IComparable
{
    public override string ToString() => Bytes >= 1024 * 1024 ? $"{Bytes / (1024 * 1024)} MiB" : $"{Bytes / 1024} KiB";

    public int CompareTo(object? obj) => Bytes.CompareTo((obj as ItemSize)?.Bytes ?? int.MinValue);

    public static bool operator <(ItemSize left, ItemSize right) => left.CompareTo(right) < 0;

    public static bool operator <=(ItemSize left, ItemSize right) => left.CompareTo(right) <= 0;

    public static bool operator >(ItemSize left, ItemSize right) => left.CompareTo(right) > 0;

    public static bool operator >=(ItemSize left, ItemSize right) => left.CompareTo(right) >= 0;
}

/// <summary>Where the store writes: tmpfs (<c>/dev/shm</c>, no disk under it) or a disk-backed folder (<c>/var/tmp</c>).</summary>
public sealed record StoreRoot(string Name, string Path) : IComparable
{
    public static IReadOnlyList<StoreRoot> All { get; } = Discover();

    public override string ToString() => Name;

    public int CompareTo(object? obj) => Order(this).CompareTo(obj is StoreRoot other ? Order(other) : -1);

    public static bool operator <(StoreRoot left, StoreRoot right) => left.CompareTo(right) < 0;

    public static bool operator <=(StoreRoot left, StoreRoot right) => left.CompareTo(right) <= 0;

    public static bool operator >(StoreRoot left, StoreRoot right) => left.CompareTo(right) > 0;

    public static bool operator >=(StoreRoot left, StoreRoot right) => left.CompareTo(right) >= 0;

    private static int Order(StoreRoot root) => All.ToList().FindIndex(r => r.Name == root.Name);

    private static StoreRoot[] Discover()
    {
        var roots = new List<StoreRoot>();
        foreach (var path in new[] { "/dev/shm", "/var/tmp", System.IO.Path.GetTempPath() })
        {
            if (!Directory.Exists(path))
            {
                continue;
            }

            var name = DataPathReport.FileSystemOf(path).Split(' ')[0];
            if (roots.All(r => r.Name != name))
            {
                roots.Add(new StoreRoot(name, path));
            }
        }

        return [.. roots];
    }
}
