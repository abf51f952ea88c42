using System.Security.Cryptography;
using Ekm.Grains.Jobs.Data;
using Ekm.Jobs;
using Ekm.Problems;

namespace Ekm.Grains.Tests.Data;

public sealed class BackupStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly byte[] _dataKey = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _wrappedDataKey = RandomNumberGenerator.GetBytes(60);

    private BackupStore Store => new(_folder.Path);

    public void Dispose() => _folder.Dispose();

    [Theory]
    [MemberData(nameof(SyntheticSourceTests.Products), MemberType = typeof(SyntheticSourceTests))]
    public async Task Read_EveryItemOfProduct_ByteIdenticalToSource(Product product)
    {
        var source = SyntheticSourceTests.Snapshot("contoso", product);
        foreach (var (item, content) in source)
        {
            await Store.WriteAsync("contoso", item, content, _dataKey, _wrappedDataKey);
        }

        var stored = Store.List("contoso");

        Assert.Equal(source.Count, stored.Count);
        foreach (var (item, content) in source)
        {
            var entry = Assert.Single(stored, s => s.ContainerId == item.ContainerId && s.ItemId == item.ItemId);
            Assert.Equal((item.Version, item.Name, item.ContentType, item.Length), (entry.Version, entry.Name, entry.ContentType, entry.Length));
            Assert.Equal(_wrappedDataKey, entry.WrappedDataKey);
            Assert.Equal(content, await Store.ReadAsync("contoso", entry, _dataKey));
        }
    }

    [Fact]
    public async Task Write_VersionAlreadyStored_KeptUnderItsFirstDataKey()
    {
        var item = await WriteMessageAsync("contoso");
        var before = await File.ReadAllBytesAsync(FileOf("contoso", item));

        // A second backup of the same version, under its own operation's data key.
        var otherKey = RandomNumberGenerator.GetBytes(32);
        await Store.WriteAsync("contoso", item, "other content"u8.ToArray(), otherKey, RandomNumberGenerator.GetBytes(60));

        Assert.Equal(before, await File.ReadAllBytesAsync(FileOf("contoso", item)));
        Assert.NotEmpty(await Store.ReadAsync("contoso", Stored(item), _dataKey));
        await AssertCorruptAsync(() => Store.ReadAsync("contoso", Stored(item), otherKey));
    }

    [Fact]
    public async Task Write_SameVersionByManyBackupsAtOnce_TheFileFirstStoredNeverChanges()
    {
        var mailbox = SyntheticSource.Containers("contoso", Product.Microsoft365).First(c => c.Kind == "mailbox");
        var items = SyntheticSource.Items("contoso", Product.Microsoft365, mailbox.Id).Take(20).ToList();
        foreach (var item in items)
        {
            // Eight backups of one version at once, each under its own data key; a reader watches the file appear.
            var keys = Enumerable.Range(0, 8).Select(_ => RandomNumberGenerator.GetBytes(32)).ToList();
            var writers = keys.Select(key => Task.Run(() =>
                Store.WriteAsync("contoso", item, SyntheticSource.Content("contoso", Product.Microsoft365, item), key, RandomNumberGenerator.GetBytes(60)))).ToList();
            var path = FileOf("contoso", item);
            byte[]? firstSeen = null;
            while (firstSeen is null)
            {
                firstSeen = File.Exists(path) ? await File.ReadAllBytesAsync(path) : null;
            }

            await Task.WhenAll(writers);

            Assert.Equal(firstSeen, await File.ReadAllBytesAsync(path));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temporary file left behind
        }
    }

    [Theory]
    [InlineData(0)] // magic
    [InlineData(9)] // wrapped data key
    [InlineData(-200)] // ciphertext
    [InlineData(-1)] // tag
    public async Task Read_OneByteFlipped_BackupItemCorrupt(int offset)
    {
        var item = await WriteMessageAsync("contoso");
        var path = FileOf("contoso", item);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[offset >= 0 ? offset : bytes.Length + offset] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        await AssertCorruptAsync(() => Store.ReadAsync("contoso", Stored(item), _dataKey));
    }

    [Fact]
    public async Task Read_WrongKey_BackupItemCorrupt()
    {
        var item = await WriteMessageAsync("contoso");

        await AssertCorruptAsync(() => Store.ReadAsync("contoso", Stored(item), RandomNumberGenerator.GetBytes(32)));
    }

    [Fact]
    public async Task Read_FileCopiedIntoOtherTenant_BackupItemCorrupt()
    {
        var item = await WriteMessageAsync("contoso");
        var copy = FileOf("fabrikam", item);
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(FileOf("contoso", item), copy);

        Assert.Single(Store.List("fabrikam"));
        await AssertCorruptAsync(() => Store.ReadAsync("fabrikam", Stored(item), _dataKey));
    }

    [Fact]
    public async Task Read_FileCopiedOverOtherItem_BackupItemCorrupt()
    {
        var item = await WriteMessageAsync("contoso");
        var other = item with { ItemId = "msg-999" };
        var copy = FileOf("contoso", other);
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(FileOf("contoso", item), copy);

        await AssertCorruptAsync(() => Store.ReadAsync("contoso", Stored(other), _dataKey));
    }

    [Fact]
    public async Task File_DistinctiveMessage_PlaintextNowhereOnDisk()
    {
        var item = await WriteMessageAsync("contoso");
        var plaintext = SyntheticSource.Content("contoso", Product.Microsoft365, item);

        var files = Directory.EnumerateFiles(_folder.Path, "*", SearchOption.AllDirectories).ToList();

        Assert.Equal([FileOf("contoso", item)], files);
        var written = await File.ReadAllBytesAsync(files[0]);
        foreach (var offset in new[] { 0, plaintext.Length / 2, plaintext.Length - 32 })
        {
            Assert.Equal(-1, written.AsSpan().IndexOf(plaintext.AsSpan(offset, 32)));
        }
    }

    [Fact]
    public async Task List_TwoVersions_LatestOnly()
    {
        var item = await WriteMessageAsync("contoso");
        var newer = item with { Version = item.Version + 1, Name = "Renamed", Length = 3 };
        await Store.WriteAsync("contoso", newer, [1, 2, 3], _dataKey, _wrappedDataKey);

        var entry = Assert.Single(Store.List("contoso"));

        Assert.Equal((newer.Version, "Renamed", 3L), (entry.Version, entry.Name, entry.Length));
        Assert.Equal([1, 2, 3], await Store.ReadAsync("contoso", entry, _dataKey));
    }

    [Fact]
    public async Task List_OneContainer_OnlyItsItems()
    {
        var containers = SyntheticSource.Containers("contoso", Product.Microsoft365).Take(2).ToList();
        foreach (var container in containers)
        {
            foreach (var item in SyntheticSource.Items("contoso", Product.Microsoft365, container.Id).Where(i => i.Length < 100_000))
            {
                await Store.WriteAsync("contoso", item, SyntheticSource.Content("contoso", Product.Microsoft365, item), _dataKey, _wrappedDataKey);
            }
        }

        var listed = Store.List("contoso", containers[1].Id);

        Assert.NotEmpty(listed);
        Assert.All(listed, s => Assert.Equal(containers[1].Id, s.ContainerId));
        Assert.Empty(Store.List("fabrikam"));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("A")]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("-a")]
    public async Task Paths_UnsafeSegment_ArgumentException(string segment)
    {
        var item = SyntheticSource.Items("contoso", Product.Microsoft365, SyntheticSource.Containers("contoso", Product.Microsoft365)[0].Id)[0];
        var stored = Stored(item);

        await Assert.ThrowsAsync<ArgumentException>(() => Store.WriteAsync(segment, item, [1], _dataKey, _wrappedDataKey));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.WriteAsync("contoso", item with { ContainerId = segment }, [1], _dataKey, _wrappedDataKey));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.WriteAsync("contoso", item with { ItemId = segment }, [1], _dataKey, _wrappedDataKey));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ReadAsync(segment, stored, _dataKey));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ReadAsync("contoso", stored with { ItemId = segment }, _dataKey));
        Assert.Throws<ArgumentException>(() => Store.List(segment));
        Assert.Throws<ArgumentException>(() => Store.List("contoso", segment));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder.Path));
    }

    private async Task<SourceItem> WriteMessageAsync(string tenantId)
    {
        var mailbox = SyntheticSource.Containers("contoso", Product.Microsoft365).First(c => c.Kind == "mailbox");
        var item = SyntheticSource.Items("contoso", Product.Microsoft365, mailbox.Id)[0];
        await Store.WriteAsync(tenantId, item, SyntheticSource.Content("contoso", Product.Microsoft365, item), _dataKey, _wrappedDataKey);
        return item;
    }

    private StoredItem Stored(SourceItem item) =>
        new(item.ContainerId, item.ItemId, item.Version, item.Name, item.ContentType, item.Length, _wrappedDataKey);

    private string FileOf(string tenantId, SourceItem item) =>
        Path.Combine(_folder.Path, tenantId, item.ContainerId, item.ItemId, $"{item.Version}.ekm");

    private static async Task AssertCorruptAsync(Func<Task> read)
    {
        var problem = await Assert.ThrowsAsync<EkmProblemException>(read);
        Assert.Equal(ProblemSlugs.BackupItemCorrupt, problem.Slug);
    }
}
