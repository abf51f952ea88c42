using Ekm.Jobs;

namespace Ekm.Grains.Jobs.Data;

/// <summary>
/// The customer's live SaaS data as a folder, <c>{root}/{tenantId}/{containerId}/{itemId}</c>: what
/// an in-place restore overwrites and a test compares with the backup.
/// </summary>
public sealed class LiveStore(string root)
{
    /// <summary>Writes the synthetic content of every item of the container that is not there yet; edits made since are kept.</summary>
    public async Task MaterializeAsync(string tenantId, Product product, string containerId)
    {
        foreach (var item in SyntheticSource.Items(tenantId, product, containerId))
        {
            if (!File.Exists(PathOf(tenantId, containerId, item.ItemId)))
            {
                await WriteAsync(tenantId, containerId, item.ItemId, SyntheticSource.Content(tenantId, product, item));
            }
        }
    }

    public Task WriteAsync(string tenantId, string containerId, string itemId, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return DataPaths.WriteAtomicallyAsync(PathOf(tenantId, containerId, itemId), [content], replace: true, CancellationToken.None);
    }

    /// <returns>The item's bytes, or <see langword="null"/> when the customer has no such item.</returns>
    public async Task<byte[]?> ReadAsync(string tenantId, string containerId, string itemId)
    {
        var path = PathOf(tenantId, containerId, itemId);
        try
        {
            return await File.ReadAllBytesAsync(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private string PathOf(string tenantId, string containerId, string itemId) =>
        DataPaths.Under(root, (tenantId, nameof(tenantId)), (containerId, nameof(containerId)), (itemId, nameof(itemId)));
}
