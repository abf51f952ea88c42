using Ekm.Host.Endpoints;
using Microsoft.Extensions.Time.Testing;

namespace Ekm.Host.Tests;

public sealed class DownloadLinksTests
{
    [Fact]
    public void Link_UsedWithinItsLifetime_IsGood_AfterItIsExpired()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        var links = new DownloadLinks(time);
        var (expires, signature) = Parse(links.Create("contoso", "0123456789abcdef0123456789abcdef", "mailbox-1.eml.zip"));

        Assert.Null(links.Check("contoso", "0123456789abcdef0123456789abcdef", "mailbox-1.eml.zip", expires, signature));
        Assert.Contains("not valid", links.Check("fabrikam", "0123456789abcdef0123456789abcdef", "mailbox-1.eml.zip", expires, signature), StringComparison.Ordinal);
        Assert.Contains("not valid", links.Check("contoso", "0123456789abcdef0123456789abcdef", "mailbox-1.eml.zip", expires + 3600, signature), StringComparison.Ordinal);

        time.Advance(DownloadLinks.Lifetime + TimeSpan.FromSeconds(1));
        Assert.Contains("expired", links.Check("contoso", "0123456789abcdef0123456789abcdef", "mailbox-1.eml.zip", expires, signature), StringComparison.Ordinal);
    }

    private static (long Expires, string Signature) Parse(string url)
    {
        var query = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + url).Query);
        return (long.Parse(query["expires"]!, System.Globalization.CultureInfo.InvariantCulture), query["signature"]!);
    }
}
