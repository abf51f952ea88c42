using Ekm.Grains.Jobs.Data;
using Ekm.Jobs;

namespace Ekm.Grains.Tests.Data;

public sealed class LiveStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private LiveStore Store => new(_folder.Path);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Materialize_Container_EveryItemHoldsSourceBytes()
    {
        var container = SyntheticSource.Containers("contoso", Product.Microsoft365).First(c => c.Kind == "site");

        await Store.MaterializeAsync("contoso", Product.Microsoft365, container.Id);

        foreach (var item in SyntheticSource.Items("contoso", Product.Microsoft365, container.Id))
        {
            Assert.Equal(SyntheticSource.Content("contoso", Product.Microsoft365, item), await Store.ReadAsync("contoso", container.Id, item.ItemId));
        }
    }

    [Fact]
    public async Task Materialize_ItemEditedSince_EditKept()
    {
        var container = SyntheticSource.Containers("contoso", Product.GoogleWorkspace)[0];
        var item = SyntheticSource.Items("contoso", Product.GoogleWorkspace, container.Id)[0];
        await Store.MaterializeAsync("contoso", Product.GoogleWorkspace, container.Id);
        await Store.WriteAsync("contoso", container.Id, item.ItemId, [7, 7, 7]);

        await Store.MaterializeAsync("contoso", Product.GoogleWorkspace, container.Id);

        Assert.Equal([7, 7, 7], await Store.ReadAsync("contoso", container.Id, item.ItemId));
    }

    [Fact]
    public async Task Read_MissingItem_Null() =>
        Assert.Null(await Store.ReadAsync("contoso", "mailbox-1", "msg-1"));

    [Theory]
    [InlineData("../x")]
    [InlineData("A")]
    [InlineData("")]
    public async Task Paths_UnsafeSegment_ArgumentException(string segment)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.WriteAsync(segment, "site-1", "file-1", [1]));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.WriteAsync("contoso", segment, "file-1", [1]));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ReadAsync("contoso", "site-1", segment));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder.Path));
    }
}
