using System.Text;
using System.Text.RegularExpressions;
using Ekm.Grains.Jobs.Data;
using Ekm.Jobs;

namespace Ekm.Grains.Tests.Data;

public sealed partial class SyntheticSourceTests
{
    public static TheoryData<Product> Products => [Product.Microsoft365, Product.GoogleWorkspace, Product.EntraId];

    [Theory]
    [MemberData(nameof(Products))]
    public void Source_SameTenantTwice_SameContainersItemsAndBytes(Product product)
    {
        var first = Snapshot("contoso", product);
        var second = Snapshot("contoso", product);

        Assert.Equal(first.Select(s => s.Item), second.Select(s => s.Item));
        Assert.Equal(first.Select(s => s.Content), second.Select(s => s.Content));
    }

    [Theory]
    [MemberData(nameof(Products))]
    public void Source_OtherTenant_OtherIdsAndBytes(Product product)
    {
        var contoso = Snapshot("contoso", product);
        var fabrikam = Snapshot("fabrikam", product);

        Assert.Empty(contoso.Select(s => s.Item.ContainerId).Intersect(fabrikam.Select(s => s.Item.ContainerId)));
        Assert.Empty(contoso.Select(s => Convert.ToHexString(s.Content)).Intersect(fabrikam.Select(s => Convert.ToHexString(s.Content))));
    }

    [Theory]
    [MemberData(nameof(Products))]
    public void Items_EveryItem_LengthIsContentLength(Product product)
    {
        foreach (var (item, content) in Snapshot("contoso", product))
        {
            Assert.Equal(item.Length, content.Length);
        }
    }

    [Theory]
    [MemberData(nameof(Products))]
    public void Items_Product_FewSmallItemsAndOneOfSeveralMiB(Product product)
    {
        var lengths = Snapshot("contoso", product).Select(s => s.Item.Length).ToList();

        Assert.InRange(lengths.Count, 30, 80);
        Assert.Contains(lengths, length => length >= 2 * 1024 * 1024);
        Assert.Contains(lengths, length => length < 1024);
        Assert.True(lengths.Count(length => length < 512 * 1024) > lengths.Count * 3 / 4);
    }

    [Theory]
    [InlineData(Product.Microsoft365)]
    [InlineData(Product.GoogleWorkspace)]
    public void Items_FileProduct_HasItemOfAFewBytes(Product product) =>
        Assert.Contains(Snapshot("contoso", product), s => s.Item.Length < 100);

    [Theory]
    [MemberData(nameof(Products))]
    public void Ids_EveryContainerAndItem_SafePathSegments(Product product)
    {
        var items = Snapshot("contoso", product).Select(s => s.Item).ToList();

        Assert.All(items, item => Assert.Matches(SafeSegment(), item.ContainerId));
        Assert.All(items, item => Assert.Matches(SafeSegment(), item.ItemId));
        Assert.Equal(items.Count, items.Select(i => (i.ContainerId, i.ItemId)).Distinct().Count());
    }

    [Theory]
    [InlineData(Product.Microsoft365, "group mailbox onedrive publicfolder site team")]
    [InlineData(Product.GoogleWorkspace, "drive mailbox shareddrive")]
    [InlineData(Product.EntraId, "directory")]
    public void Containers_Product_KindsOfThatProduct(Product product, string kinds)
    {
        var containers = SyntheticSource.Containers("contoso", product);

        Assert.Equal(kinds, string.Join(' ', containers.Select(c => c.Kind).Distinct().Order(StringComparer.Ordinal)));
        Assert.All(containers, c => Assert.StartsWith(c.Kind + "-", c.Id, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(Product.Microsoft365)]
    [InlineData(Product.GoogleWorkspace)]
    public void Mailbox_Items_Rfc5322MessagesWithLfAndFromLines(Product product)
    {
        var messages = Snapshot("contoso", product)
            .Where(s => s.Item.ContainerId.StartsWith("mailbox-", StringComparison.Ordinal))
            .Select(s => (s.Item, Text: Encoding.UTF8.GetString(s.Content)))
            .ToList();

        Assert.All(messages, m => Assert.Equal("message/rfc822", m.Item.ContentType));
        foreach (var header in new[] { "From", "To", "Date", "Subject", "Message-ID" })
        {
            Assert.All(messages, m => Assert.Matches($"(?m)^{header}: .+$", m.Text[..m.Text.IndexOf("\n\n", StringComparison.Ordinal)]));
        }

        Assert.All(messages, m => Assert.DoesNotContain('\r', m.Text));
        Assert.Contains(messages, m => m.Text.Contains("\nFrom ", StringComparison.Ordinal));
    }

    [Fact]
    public void EntraId_Items_Json()
    {
        foreach (var (item, content) in Snapshot("contoso", Product.EntraId))
        {
            Assert.Equal("application/json", item.ContentType);
            using var document = System.Text.Json.JsonDocument.Parse(content);
            Assert.Equal(item.ItemId, document.RootElement.GetProperty("id").GetString());
        }
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("A")]
    [InlineData("")]
    public void Containers_UnsafeTenantId_ArgumentException(string tenantId) =>
        Assert.Throws<ArgumentException>(() => SyntheticSource.Containers(tenantId, Product.Microsoft365));

    internal static List<(SourceItem Item, byte[] Content)> Snapshot(string tenantId, Product product) =>
    [
        .. SyntheticSource.Containers(tenantId, product)
            .SelectMany(c => SyntheticSource.Items(tenantId, product, c.Id))
            .Select(item => (item, SyntheticSource.Content(tenantId, product, item))),
    ];

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,62}\z")]
    private static partial Regex SafeSegment();
}
