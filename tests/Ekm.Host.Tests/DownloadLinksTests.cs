using Ekm.Host.Endpoints;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Ekm.Host.Tests;

public sealed class DownloadLinksTests
{
    [Fact]
    public void Link_UsedWithinItsLifetime_IsGood_AfterItIsExpired()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        var links = new DownloadLinks(time, Options.Create(new DownloadOptions()));
        var (expires, signature) = Parse(links.Create("contoso", "0123456789abcdef0123456789abcdef", "mailbox-1.eml.zip"));

        Assert.Null(links.Check("contoso", "0123456789abcdef0123456789abcdef", "mailbox-1.eml.zip", expires, signature));
        Assert.Contains("not valid", links.Check("fabrikam", "0123456789abcdef0123456789abcdef", "mailbox-1.eml.zip", expires, signature), StringComparison.Ordinal);
        Assert.Contains("not valid", links.Check("contoso", "0123456789abcdef0123456789abcdef", "mailbox-1.eml.zip", expires + 3600, signature), StringComparison.Ordinal);

        time.Advance(DownloadLinks.Lifetime + TimeSpan.FromSeconds(1));
        Assert.Contains("expired", links.Check("contoso", "0123456789abcdef0123456789abcdef", "mailbox-1.eml.zip", expires, signature), StringComparison.Ordinal);
    }

    [Fact]
    public void Link_MadeByOneSilo_VerifiesOnAnother_OnlyWithTheSharedSigningKey()
    {
        const string job = "0123456789abcdef0123456789abcdef";
        var shared = Options.Create(new DownloadOptions { SigningKey = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)i).ToArray()) });
        var (expires, signature) = Parse(new DownloadLinks(TimeProvider.System, shared).Create("contoso", job, "m.eml.zip"));

        Assert.Null(new DownloadLinks(TimeProvider.System, shared).Check("contoso", job, "m.eml.zip", expires, signature));
        Assert.NotNull(new DownloadLinks(TimeProvider.System, Options.Create(new DownloadOptions())).Check("contoso", job, "m.eml.zip", expires, signature));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("c2hvcnQ=", false)] // 5 bytes
    [InlineData("not base64!", false)]
    [InlineData("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", true)] // 32 bytes
    public void SigningKey_MustBeBase64OfAtLeast32Bytes(string key, bool valid) =>
        Assert.Equal(valid, new DownloadOptions { SigningKey = key }.IsValid);

    private static (long Expires, string Signature) Parse(string url)
    {
        var query = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + url).Query);
        return (long.Parse(query["expires"]!, System.Globalization.CultureInfo.InvariantCulture), query["signature"]!);
    }
}
