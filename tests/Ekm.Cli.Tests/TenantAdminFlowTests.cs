using System.Text.RegularExpressions;

namespace Ekm.Cli.Tests;

[Collection(SharedHost.Name)]
public sealed partial class TenantAdminFlowTests(HostFixture host)
{
    [Fact]
    public async Task CustomerKeyValidateEnableBackup_WholeFlow_EachStepExitsZeroAndStatusShowsEnabled()
    {
        var tenant = HostFixture.NewTenant();
        (await host.SupportAsync(tenant, "support", "activate")).Exits(0);

        var created = (await host.AwsAsync("create-key", "--admit-vendor", "--api-key", host.Keys.Admin, "--tenant", tenant)).Exits(0);
        var keyArn = created.FirstLine;
        Assert.Matches(KeyArnPattern(), keyArn);
        Assert.Contains("admitted the vendor", created.Stderr, StringComparison.Ordinal);

        var validated = (await host.AdminAsync(tenant, "validate", keyArn)).Exits(0);
        Assert.Contains("passed every check", validated.Stdout, StringComparison.Ordinal);
        Assert.Contains("SYMMETRIC_DEFAULT", validated.Stdout, StringComparison.Ordinal);

        (await host.AdminAsync(tenant, "enable", keyArn, "--accept-terms")).Exits(0);

        var status = (await host.AdminAsync(tenant, "status")).Exits(0);
        Assert.Contains("External Cloud Key Management: Enabled", status.Stdout, StringComparison.Ordinal);
        Assert.Contains(keyArn, status.Stdout, StringComparison.Ordinal);
        Assert.Contains("Key health:   Healthy", status.Stdout, StringComparison.Ordinal);

        var started = (await host.AdminAsync(tenant, "jobs", "start", "--kind", "Backup", "--product", "Microsoft365", "--variant", "manual")).Exits(0);
        var jobId = started.FirstLine;
        Assert.Matches(JobIdPattern(), jobId);

        var watched = (await host.AdminAsync(tenant, "jobs", "watch", jobId, "--interval", "100")).Exits(0);
        Assert.Matches(@"Backup job [0-9a-f]{32} succeeded: (\d+)/\1 operations", watched.Stdout);

        var list = (await host.AdminAsync(tenant, "jobs", "list")).Exits(0);
        Assert.Contains(jobId, list.Stdout, StringComparison.Ordinal);
        Assert.Contains("Succeeded", list.Stdout, StringComparison.Ordinal);

        var audit = (await host.AdminAsync(tenant, "audit")).Exits(0);
        Assert.Contains("hash chain verified", audit.Stdout, StringComparison.Ordinal);
        Assert.Contains("EkmEnabled", audit.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enable_WithoutAcceptTerms_PrintsTermsRefusesAndChangesNothing()
    {
        var tenant = HostFixture.NewTenant();
        (await host.SupportAsync(tenant, "support", "activate")).Exits(0);
        var keyArn = (await host.AwsAsync("create-key", "--admit-vendor", "--api-key", host.Keys.Admin, "--tenant", tenant)).Exits(0).FirstLine;

        var refused = (await host.AdminAsync(tenant, "enable", keyArn)).Exits(3);

        Assert.Contains("Enterprise Key Management terms", refused.Stdout, StringComparison.Ordinal);
        Assert.Contains("cannot be turned off", refused.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"^error: .*--accept-terms.* \(terms-not-accepted\)\s*$", refused.Stderr);
        var status = (await host.AdminAsync(tenant, "status")).Exits(0);
        Assert.Contains("Cloud Key Management: vendor-managed keys", status.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisableThenEnableKey_HealthCheck_ExitsSixWhileRevokedAndZeroAfterRecovery()
    {
        var (tenant, keyArn) = await host.EnabledTenantAsync();

        (await host.AwsAsync("disable", keyArn)).Exits(0);
        var revoked = (await host.AdminAsync(tenant, "health-check")).Exits(6);
        Assert.Contains("Key health: Revoked (key-disabled)", revoked.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("(key-disabled)", revoked.Stderr.Trim(), StringComparison.Ordinal);

        (await host.AwsAsync("enable", keyArn)).Exits(0);
        var healthy = (await host.AdminAsync(tenant, "health-check")).Exits(0);
        Assert.Contains("Key health: Healthy", healthy.Stdout, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^arn:aws:kms:us-east-1:444455556666:key/[0-9a-f-]{36}$")]
    private static partial Regex KeyArnPattern();

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex JobIdPattern();
}
