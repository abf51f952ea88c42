namespace Ekm.Cli.Tests;

/// <summary>Exit codes and the <c>error: DETAIL (SLUG)</c> line come from the problem the service answered.</summary>
[Collection(SharedHost.Name)]
public sealed class ExitCodeTests(HostFixture host)
{
    [Fact]
    public async Task Validate_NotAnArn_Exits3WithInvalidKeyArn()
    {
        var tenant = HostFixture.NewTenant();
        (await host.SupportAsync(tenant, "support", "activate")).Exits(0);

        var result = (await host.AdminAsync(tenant, "validate", "not-an-arn")).Exits(3);

        Assert.Equal("", result.Stdout);
        Assert.Matches(@"^error: This is not an ARN\..* \(invalid-key-arn\)\s*$", result.Stderr);
    }

    [Fact]
    public async Task Enable_TenantNotActivated_Exits5WithEkmNotActivated()
    {
        var tenant = HostFixture.NewTenant();
        var keyArn = (await host.AwsAsync("create-key", "--admit-vendor", "--api-key", host.Keys.Admin, "--tenant", tenant)).Exits(0).FirstLine;

        var result = (await host.AdminAsync(tenant, "enable", keyArn, "--accept-terms")).Exits(5);

        Assert.Matches(@"^error: .+ \(ekm-not-activated\)\s*$", result.Stderr);
    }

    [Fact]
    public async Task JobWatch_KeyDisabled_Exits8WithKeyRevokedAndOperatorSeesTheFailureReason()
    {
        var (tenant, keyArn) = await host.EnabledTenantAsync();
        (await host.AwsAsync("disable", keyArn)).Exits(0);

        var jobId = (await host.AdminAsync(tenant, "jobs", "start", "--kind", "Backup", "--product", "Microsoft365", "--variant", "manual")).Exits(0).FirstLine;
        var watched = (await host.AdminAsync(tenant, "jobs", "watch", jobId, "--interval", "100")).Exits(8);

        Assert.Contains($"failed at operation 1 of", watched.Stdout, StringComparison.Ordinal);
        Assert.Matches($@"^error: job {jobId} failed: .+ \(key-revoked\)\s*$", watched.Stderr);

        var jobs = (await host.RunAsync("--api-key", host.Keys.Operator, "operator", "jobs", "--tenant", tenant)).Exits(0);
        Assert.Contains("Failures by reason: key-revoked 1", jobs.Stdout, StringComparison.Ordinal);
        var tenants = (await host.RunAsync("--api-key", host.Keys.Operator, "operator", "tenants")).Exits(0);
        Assert.Matches($@"{tenant}\s+Revoked\s+key-disabled", tenants.Stdout);
    }

    [Fact]
    public async Task JobsStart_KeyScheduledForDeletion_RestoreOfNothingExits5AndBackupWatchExits8()
    {
        var (tenant, keyArn) = await host.EnabledTenantAsync();
        (await host.AwsAsync("schedule-deletion", keyArn, "--days", "7")).Exits(0);

        var result = (await host.AdminAsync(tenant, "jobs", "start", "--kind", "Restore", "--product", "Microsoft365", "--variant", "restore", "--watch", "--interval", "100"));

        // Nothing is backed up yet: the restore is refused before it starts (409), not failed as a job.
        result.Exits(5);
        Assert.EndsWith("(nothing-to-restore)", result.Stderr.Trim(), StringComparison.Ordinal);

        var backup = (await host.AdminAsync(tenant, "jobs", "start", "--kind", "Backup", "--product", "EntraId", "--variant", "manual", "--watch", "--interval", "100")).Exits(8);
        Assert.EndsWith("(key-revoked)", backup.Stderr.Trim(), StringComparison.Ordinal);
        var health = (await host.AdminAsync(tenant, "health-check")).Exits(6);
        Assert.EndsWith("(key-pending-deletion)", health.Stderr.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_UnknownApiKey_Exits4WithUnauthenticated()
    {
        var result = (await host.RunAsync("--api-key", "not-a-configured-key", "--tenant", HostFixture.NewTenant(), "status")).Exits(4);

        Assert.Matches(@"^error: An API key is required.* \(unauthenticated\)\s*$", result.Stderr);
    }

    [Fact]
    public async Task Validate_OperatorKey_Exits4WithForbidden()
    {
        var result = (await host.RunAsync("--api-key", host.Keys.Operator, "--tenant", HostFixture.NewTenant(), "validate", "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab")).Exits(4);

        Assert.EndsWith("(forbidden)", result.Stderr.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AwsDisable_KeyThatDoesNotExist_Exits4WithTheAwsErrorCode()
    {
        var result = (await host.AwsAsync("disable", "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab")).Exits(4);

        Assert.EndsWith("(NotFoundException)", result.Stderr.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_NoTenant_Exits2()
    {
        var result = (await host.RunAsync("--api-key", host.Keys.Admin, "status")).Exits(2);

        Assert.Equal("error: This command is about one tenant: give --tenant TENANT or set EKM_TENANT. (usage)", result.Stderr.Trim());
    }

    [Fact]
    public async Task UnknownCommand_Exits2WithUsage()
    {
        var result = (await CliRun.RunAsync(["jobs", "frobnicate"])).Exits(2);

        Assert.Contains("(usage)", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_NothingListening_Exits7WithServiceUnavailable()
    {
        var result = (await CliRun.RunAsync(["--url", "http://127.0.0.1:1", "--api-key", "k", "--tenant", "t", "status"])).Exits(7);

        Assert.Matches(@"^error: Could not reach the Ekm service at http://127\.0\.0\.1:1/.* \(service-unavailable\)\s*$", result.Stderr);
    }
}
