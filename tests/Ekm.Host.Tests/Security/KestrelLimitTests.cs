using System.Net;
using System.Text;
using Ekm.Problems;

namespace Ekm.Host.Tests.Security;

/// <summary>
/// The body limit on the real server (Kestrel, the host as a process): a chunked body declares no
/// length, so the server itself stops reading at the limit and the client still gets the problem.
/// </summary>
public sealed class KestrelLimitTests
{
    [Fact]
    public async Task ChunkedBody_LargerThanTheLimit_RequestTooLarge()
    {
        using var data = new TempDirectory();
        var key = "ekm_" + Guid.NewGuid().ToString("N");
        await using var host = HostProcess.Start(data.Path, extraArgs:
        [
            "--Ekm:Auth:ApiKeys:0:Name=admin",
            $"--Ekm:Auth:ApiKeys:0:Sha256={TestKeys.Hash(key)}",
            "--Ekm:Auth:ApiKeys:0:Roles:0=TenantAdmin",
            "--Ekm:Auth:ApiKeys:0:Tenants:0=*",
        ]);
        await host.WaitUntilReadyAsync();
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        http.DefaultRequestHeaders.Authorization = TestKeys.Bearer(key);

        var padding = new string(' ', 200_000);
        using var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"keyArn":"x"{{padding}}}""")));
        chunked.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tenants/contoso/ekm/validate") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        var response = await http.SendAsync(request);
        var detail = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, ProblemSlugs.RequestTooLarge);
        Assert.Contains("65,536 bytes", detail, StringComparison.Ordinal);

        // The same request under the limit is read and answered on its merits.
        using var small = new StringContent("""{"keyArn":"x"}""", Encoding.UTF8, "application/json");
        var answered = await http.PostAsync("/api/tenants/contoso/ekm/validate", small);
        Assert.Equal(HttpStatusCode.Conflict, answered.StatusCode); // ekm-not-activated: the body got through
    }
}
