using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ekm.Problems;

namespace Ekm.Host.Tests;

public sealed class GatewayTests(HostFixture host) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task Availability_SupportActivates_TenantAdminReadsIt()
    {
        var tenant = host.Keys.AdminTenant;
        using var support = host.Factory.ClientWith(host.Keys.Support);
        using var admin = host.Factory.ClientWith(host.Keys.TenantAdmin);

        var before = await admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenant}/ekm");
        Assert.Equal("CloudKeyManagement", before.GetProperty("mode").GetString());
        Assert.False(before.GetProperty("ekmAvailable").GetBoolean());

        var put = await support.PutAsJsonAsync($"/api/support/tenants/{tenant}/ekm/availability", new { activated = true });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var after = await admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenant}/ekm");
        Assert.Equal("CloudKeyManagement", after.GetProperty("mode").GetString());
        Assert.True(after.GetProperty("ekmAvailable").GetBoolean());
        Assert.Equal("support-desk", after.GetProperty("availability").GetProperty("changedBy").GetString());
    }

    [Fact]
    public async Task Availability_SupportDeactivates_TenantSeesItOff()
    {
        var tenant = HostFixture.NewTenant();
        using var support = host.Factory.ClientWith(host.Keys.Support);
        await support.PutAsJsonAsync($"/api/support/tenants/{tenant}/ekm/availability", new { activated = true });
        await support.PutAsJsonAsync($"/api/support/tenants/{tenant}/ekm/availability", new { activated = false });

        var status = await support.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenant}/ekm");
        Assert.False(status.GetProperty("ekmAvailable").GetBoolean());
    }

    [Fact]
    public async Task SupportEndpoint_TenantAdminKey_Forbidden()
    {
        using var admin = host.Factory.ClientWith(host.Keys.TenantAdmin);
        var response = await admin.PutAsJsonAsync($"/api/support/tenants/{host.Keys.AdminTenant}/ekm/availability", new { activated = true });
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, ProblemSlugs.Forbidden);

        using var support = host.Factory.ClientWith(host.Keys.Support);
        var status = await support.GetFromJsonAsync<JsonElement>($"/api/tenants/{host.Keys.AdminTenant}/ekm");
        Assert.NotEqual("admin@" + host.Keys.AdminTenant, status.GetProperty("availability").GetProperty("changedBy").GetString());
    }

    [Fact]
    public async Task SupportEndpoint_OperatorKey_Forbidden()
    {
        using var noc = host.Factory.ClientWith(host.Keys.Operator);
        var response = await noc.PutAsJsonAsync($"/api/support/tenants/{HostFixture.NewTenant()}/ekm/availability", new { activated = true });
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, ProblemSlugs.Forbidden);
    }

    [Fact]
    public async Task TenantStatus_TenantAdminOfAnotherTenant_Forbidden()
    {
        using var admin = host.Factory.ClientWith(host.Keys.TenantAdmin);
        var response = await admin.GetAsync($"/api/tenants/{HostFixture.NewTenant()}/ekm");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, ProblemSlugs.Forbidden);
    }

    [Theory]
    [InlineData("Contoso")]
    [InlineData("-contoso")]
    [InlineData("contoso-")]
    [InlineData("con_toso")]
    [InlineData("a..b")]
    [InlineData("%2e%2e%2fetc")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123")]
    public async Task TenantStatus_InvalidTenantId_BadRequestProblem(string tenantId)
    {
        using var support = host.Factory.ClientWith(host.Keys.Support);
        var response = await support.GetAsync($"/api/tenants/{tenantId}/ekm");
        var detail = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, ProblemSlugs.InvalidTenantId);
        Assert.Contains("tenant id", detail, StringComparison.Ordinal);

        var put = await support.PutAsJsonAsync($"/api/support/tenants/{tenantId}/ekm/availability", new { activated = true });
        await ProblemAssert.IsProblemAsync(put, HttpStatusCode.BadRequest, ProblemSlugs.InvalidTenantId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a..b")]
    [InlineData("{\"activated\": null}")]
    [InlineData("{\"activated\": \"yes\"}")]
    [InlineData("{\"activated\": tru")]
    [InlineData("[true]")]
    public async Task Availability_BadBody_InvalidRequestBodyProblemAndNothingSaved(string body)
    {
        var tenant = HostFixture.NewTenant();
        using var support = host.Factory.ClientWith(host.Keys.Support);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await support.PutAsync($"/api/support/tenants/{tenant}/ekm/availability", content);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, ProblemSlugs.InvalidRequestBody);

        var status = await support.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenant}/ekm");
        Assert.False(status.GetProperty("ekmAvailable").GetBoolean());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("availability").GetProperty("changedBy").ValueKind);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer not-a-key")]
    [InlineData("Bearer")]
    [InlineData("Token abc")]
    public async Task TenantStatus_MissingOrUnknownKey_Unauthenticated(string? authorization)
    {
        using var client = host.Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/tenants/{HostFixture.NewTenant()}/ekm");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await client.SendAsync(request);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, ProblemSlugs.Unauthenticated);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.DoesNotContain(response.Headers.WwwAuthenticate, h => h.Scheme == "Basic"); // no browser password prompt on the API
    }

    [Fact]
    public async Task Dashboard_Anonymous_Unauthorized()
    {
        using var client = host.Factory.CreateClient();
        var response = await client.GetAsync("/dashboard/");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, ProblemSlugs.Unauthenticated);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
    }

    [Fact]
    public async Task Dashboard_TenantAdminKey_Forbidden()
    {
        using var admin = host.Factory.ClientWith(host.Keys.TenantAdmin);
        var response = await admin.GetAsync("/dashboard/");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, ProblemSlugs.Forbidden);
    }

    [Fact]
    public async Task Dashboard_OperatorKeyAsBasicPassword_ServesThePage()
    {
        using var client = host.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes("noc:" + host.Keys.Operator)));
        var response = await client.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_Anonymous_Healthy(string path)
    {
        using var client = host.Factory.CreateClient();
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Metrics_AfterAnActivation_ExposesOrleansAndEkmFamilies()
    {
        using var support = host.Factory.ClientWith(host.Keys.Support);
        await support.PutAsJsonAsync($"/api/support/tenants/{HostFixture.NewTenant()}/ekm/availability", new { activated = true });

        using var noc = host.Factory.ClientWith(host.Keys.Operator);
        var text = await noc.GetStringAsync("/metrics");
        var families = text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToList();
        Assert.Contains(families, f => f.StartsWith("orleans_", StringComparison.Ordinal));
        Assert.Contains("ekm_availability_changes_total", families);
        Assert.Matches(@"ekm_availability_changes_total\{[^}]*activated=""true""[^}]*\} [1-9]", text);
    }

    [Fact]
    public async Task Metrics_Anonymous_Unauthorized()
    {
        using var client = host.Factory.CreateClient();
        var response = await client.GetAsync("/metrics");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, ProblemSlugs.Unauthenticated);
    }

    [Fact]
    public async Task OpenApi_WithKey_DescribesTheEndpoints()
    {
        using var noc = host.Factory.ClientWith(host.Keys.Operator);
        var doc = await noc.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/tenants/{tenantId}/ekm", out _));
        Assert.True(paths.TryGetProperty("/api/support/tenants/{tenantId}/ekm/availability", out _));
    }

    [Fact]
    public async Task UnknownRoute_NotFoundProblem()
    {
        using var support = host.Factory.ClientWith(host.Keys.Support);
        var response = await support.GetAsync("/api/nothing-here");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, ProblemSlugs.NotFound);
    }
}
