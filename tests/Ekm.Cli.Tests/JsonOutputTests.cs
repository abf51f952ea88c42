using System.Text.Json;

namespace Ekm.Cli.Tests;

/// <summary><c>--output json</c>: stdout is one JSON document, on success (the API's JSON) and on failure (the problem).</summary>
[Collection(SharedHost.Name)]
public sealed class JsonOutputTests(HostFixture host)
{
    [Fact]
    public async Task Status_Json_IsTheApisTenantView()
    {
        var tenant = HostFixture.NewTenant();

        var status = (await host.AdminAsync(tenant, "status", "-o", "json")).Exits(0).Json();

        Assert.Equal(tenant, status.GetProperty("tenantId").GetString());
        Assert.Equal("CloudKeyManagement", status.GetProperty("mode").GetString());
        Assert.False(status.GetProperty("ekmAvailable").GetBoolean());
    }

    [Fact]
    public async Task Failure_Json_PrintsTheProblemOnStdoutAndTheErrorLineOnStderr()
    {
        var tenant = HostFixture.NewTenant();
        (await host.SupportAsync(tenant, "support", "activate", "--output", "json")).Exits(0);

        var result = (await host.AdminAsync(tenant, "validate", "not-an-arn", "--output", "json")).Exits(3);

        var problem = result.Json();
        Assert.Equal("invalid-key-arn", problem.GetProperty("type").GetString());
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.EndsWith("(invalid-key-arn)", result.Stderr.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnableWithoutTerms_Json_IsATermsNotAcceptedProblemCarryingTheTerms()
    {
        var tenant = HostFixture.NewTenant();

        var problem = (await host.AdminAsync(tenant, "enable", "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab", "-o", "json")).Exits(3).Json();

        Assert.Equal("terms-not-accepted", problem.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("terms").GetProperty("version").GetString()));
    }

    [Fact]
    public async Task KeyJobAndOperatorViews_Json_AreParsableWithTheirFields()
    {
        var tenant = HostFixture.NewTenant();
        (await host.SupportAsync(tenant, "support", "activate")).Exits(0);
        var created = (await host.AwsAsync("create-key", "--admit-vendor", "--api-key", host.Keys.Admin, "--tenant", tenant, "-o", "json")).Exits(0).Json();
        var keyArn = created.GetProperty("keyArn").GetString()!;
        Assert.Equal("Enabled", created.GetProperty("keyState").GetString());
        Assert.Equal(3, created.GetProperty("policy").GetProperty("Statement").GetArrayLength());

        var enabled = (await host.AdminAsync(tenant, "enable", keyArn, "--accept-terms", "-o", "json")).Exits(0).Json();
        Assert.Equal("EnterpriseKeyManagement", enabled.GetProperty("mode").GetString());

        var started = (await host.AdminAsync(tenant, "jobs", "start", "--kind", "OrgDiscovery", "--product", "Microsoft365", "--variant", "sharepoint", "-o", "json")).Exits(0).Json();
        var jobId = started.GetProperty("jobId").GetString()!;
        var watched = (await host.AdminAsync(tenant, "jobs", "watch", jobId, "--interval", "100", "-o", "json")).Exits(0).Json();
        Assert.Equal("Succeeded", watched.GetProperty("state").GetString());
        Assert.Equal(1, watched.GetProperty("operationsDone").GetInt32());

        var jobs = (await host.AdminAsync(tenant, "jobs", "list", "-o", "json")).Exits(0).Json();
        Assert.Equal(jobId, jobs.GetProperty("jobs")[0].GetProperty("jobId").GetString());

        var tenants = (await host.RunAsync("--api-key", host.Keys.Operator, "operator", "tenants", "-o", "json")).Exits(0).Json();
        Assert.Contains(tenants.GetProperty("tenants").EnumerateArray(), t => t.GetProperty("tenantId").GetString() == tenant);

        var health = (await host.RunAsync("--api-key", host.Keys.Operator, "operator", "health", "-o", "json")).Exits(0).Json();
        Assert.True(health.GetProperty("ready").GetBoolean());
        Assert.Contains(health.GetProperty("tenants").GetProperty("Healthy").EnumerateArray(), t => t.GetProperty("tenantId").GetString() == tenant);

        var policy = (await host.AdminAsync(tenant, "key-policy", "-o", "json")).Exits(0).Json();
        Assert.Equal(JsonValueKind.Array, policy.GetProperty("statements").ValueKind);
    }
}
