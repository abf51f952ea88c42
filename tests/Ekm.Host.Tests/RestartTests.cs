using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Ekm.Host.Tests;

public sealed class RestartTests
{
    [Fact]
    public async Task Availability_HostRestarted_StateReadBackFromSqlite()
    {
        using var data = new TempDirectory();
        var keys = new TestKeys();
        var tenant = HostFixture.NewTenant();

        await using (var first = new EkmHostFactory(data.Path, keys))
        {
            using var support = first.ClientWith(keys.Support);
            var put = await support.PutAsJsonAsync($"/api/support/tenants/{tenant}/ekm/availability", new { activated = true });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        Assert.True(File.Exists(Path.Combine(data.Path, "ekm.db")));

        await using var second = new EkmHostFactory(data.Path, keys);
        using var client = second.ClientWith(keys.Support);
        var status = await client.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenant}/ekm");
        Assert.True(status.GetProperty("ekmAvailable").GetBoolean());
        Assert.Equal("support-desk", status.GetProperty("availability").GetProperty("changedBy").GetString());
    }
}
