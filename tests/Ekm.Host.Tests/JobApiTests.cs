using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ekm.Problems;

namespace Ekm.Host.Tests;

public sealed class JobApiTests(HostFixture host) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task Jobs_StartBackupThenRestore_ProgressAndOutputsThroughTheGateway()
    {
        using var kms = new CustomerKms(host);
        using var session = await TenantSession.ActivatedAsync(host);
        await session.EnableWithNewKeyAsync(kms);

        var done = await session.RunJobAsync(new { kind = "Backup", product = "Microsoft365", variant = "manual" });
        Assert.Equal("Succeeded", done.GetProperty("state").GetString());
        Assert.Equal(done.GetProperty("operationsTotal").GetInt32(), done.GetProperty("operationsDone").GetInt32());
        Assert.True(done.GetProperty("bytesDone").GetInt64() > 2 * 1024 * 1024);

        var download = await session.RunJobAsync(new { kind = "Download", product = "Microsoft365", variant = "mbox" });
        Assert.Equal("Succeeded", download.GetProperty("state").GetString());
        Assert.NotEmpty(download.GetProperty("outputs").EnumerateArray());
    }

    [Fact]
    public async Task PstUrlDownload_ExpiringLinkServesTheFileWithoutAKey_ATamperedLinkIsForbidden()
    {
        using var kms = new CustomerKms(host);
        using var session = await TenantSession.ActivatedAsync(host);
        await session.EnableWithNewKeyAsync(kms);
        await session.RunJobAsync(new { kind = "Backup", product = "Microsoft365", variant = "manual" });

        var job = await session.RunJobAsync(new { kind = "Download", product = "Microsoft365", variant = "pst-url" });
        var url = job.GetProperty("downloadUrl").GetString()!;
        using var anonymous = host.Factory.CreateClient();
        var file = await anonymous.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        var bytes = await file.Content.ReadAsByteArrayAsync();
        Assert.Equal("PK"u8.ToArray(), bytes[..2]);
        var tampered = await anonymous.GetAsync(url.Replace("expires=", "expires=9", StringComparison.Ordinal));
        await ProblemAssert.IsProblemAsync(tampered, HttpStatusCode.Forbidden, ProblemSlugs.Forbidden);
    }

    [Fact]
    public async Task Jobs_AfterTheKeyIsDisabled_FailWithKeyRevoked_ListedNewestFirstWithFailuresByReason()
    {
        using var kms = new CustomerKms(host);
        using var session = await TenantSession.ActivatedAsync(host);
        var key = await session.EnableWithNewKeyAsync(kms);
        var succeeded = await session.RunJobAsync(new { kind = "OrgDiscovery", product = "GoogleWorkspace", variant = "teamdrive" });
        await kms.DisableAsync(key);

        var failed = await session.RunJobAsync(new { kind = "Backup", product = "GoogleWorkspace", variant = "manual" });

        Assert.Equal("Failed", failed.GetProperty("state").GetString());
        Assert.Equal(ProblemSlugs.KeyRevoked, failed.GetProperty("failureSlug").GetString());
        var list = await Http.OkAsync(await session.Admin.GetAsync($"/api/tenants/{session.Tenant}/jobs"));
        var jobs = list.GetProperty("jobs").EnumerateArray().ToList();
        Assert.Equal(
            new[] { failed.GetProperty("jobId").GetString()!, succeeded.GetProperty("jobId").GetString()! },
            jobs.Select(j => j.GetProperty("jobId").GetString()!));
        Assert.Equal("Failed Succeeded", string.Join(' ', jobs.Select(j => j.GetProperty("state").GetString())));
        Assert.Equal(1, list.GetProperty("failuresByReason").GetProperty(ProblemSlugs.KeyRevoked).GetInt32());
    }

    [Fact]
    public async Task OperatorTenants_ListsEveryEkmTenantWithItsKeyHealth()
    {
        using var kms = new CustomerKms(host);
        using var session = await TenantSession.ActivatedAsync(host);
        var key = await session.EnableWithNewKeyAsync(kms);
        await kms.DisableAsync(key);
        await session.CheckHealthAsync();
        using var noc = host.Factory.ClientWith(host.Keys.Operator);

        var tenants = await Http.OkAsync(await noc.GetAsync("/api/operator/tenants"));

        var mine = tenants.GetProperty("tenants").EnumerateArray().Single(t => t.GetProperty("tenantId").GetString() == session.Tenant);
        Assert.Equal(key, mine.GetProperty("keyArn").GetString());
        Assert.Equal("Revoked", mine.GetProperty("health").GetProperty("status").GetString());
        Assert.Equal(ProblemSlugs.KeyDisabled, mine.GetProperty("health").GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("{\"kind\":\"Backup\",\"product\":\"Microsoft365\",\"variant\":\"hourly\"}", ProblemSlugs.InvalidJobSpec)]
    [InlineData("{\"kind\":\"Backup\",\"product\":\"Dropbox\",\"variant\":\"manual\"}", ProblemSlugs.InvalidRequestBody)]
    [InlineData("{\"kind\":\"Backup\"}", ProblemSlugs.InvalidRequestBody)]
    public async Task Jobs_BadSpec_BadRequestProblem(string body, string slug)
    {
        using var session = await TenantSession.ActivatedAsync(host);
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var response = await session.Admin.PostAsync($"/api/tenants/{session.Tenant}/jobs", content);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, slug);
    }

    [Fact]
    public async Task Cancel_AFinishedJob_AnswersItsFinalStateAndChangesNothing()
    {
        using var kms = new CustomerKms(host);
        using var session = await TenantSession.ActivatedAsync(host);
        await session.EnableWithNewKeyAsync(kms);
        var done = await session.RunJobAsync(new { kind = "WorkloadConfiguration", product = "GoogleWorkspace", variant = "teamdrive" });
        var jobId = done.GetProperty("jobId").GetString();

        var cancelled = await Http.OkAsync(await session.Admin.PostAsync($"/api/tenants/{session.Tenant}/jobs/{jobId}/cancel", null));

        Assert.Equal("Succeeded", cancelled.GetProperty("state").GetString());
        var unknown = await session.Admin.PostAsync($"/api/tenants/{session.Tenant}/jobs/{Guid.NewGuid():N}/cancel", null);
        await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.NotFound, ProblemSlugs.NotFound);
    }

    [Fact]
    public async Task Jobs_OfAnotherTenantOrUnknown_NotFound()
    {
        using var kms = new CustomerKms(host);
        using var owner = await TenantSession.ActivatedAsync(host);
        await owner.EnableWithNewKeyAsync(kms);
        var jobUrl = await StartAsync(owner, new { kind = "OrgDiscovery", product = "Microsoft365", variant = "sharepoint" });
        var jobId = jobUrl.Split('/')[^1];
        using var other = TenantSession.New(host);

        var response = await other.Admin.GetAsync($"/api/tenants/{other.Tenant}/jobs/{jobId}");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, ProblemSlugs.NotFound);
        var unknown = await owner.Admin.GetAsync($"/api/tenants/{owner.Tenant}/jobs/{Guid.NewGuid():N}");
        await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.NotFound, ProblemSlugs.NotFound);
    }

    private static async Task<string> StartAsync(TenantSession session, object spec)
    {
        var response = await session.Admin.PostAsJsonAsync($"/api/tenants/{session.Tenant}/jobs", spec);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return response.Headers.Location!.ToString();
    }


}
