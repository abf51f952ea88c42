namespace Ekm.Cli.Tests;

/// <summary>One host process shared by the tests of <see cref="SharedHost"/>; each test uses a tenant of its own.</summary>
public sealed class HostFixture : IAsyncLifetime
{
    private HostProcess? _host;

    internal ApiKeys Keys { get; } = new();

    internal HostProcess Host => _host ?? throw new InvalidOperationException("The host has not started.");

    public static string NewTenant() => "cli-" + Guid.NewGuid().ToString("N")[..12];

    public async Task InitializeAsync() => _host = await HostProcess.StartAsync(Keys);

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>Runs <c>ekm</c> in process against this host: <c>--url</c> first, then <paramref name="args"/>.</summary>
    internal Task<CliResult> RunAsync(params string[] args) => CliRun.RunAsync(["--url", Host.Url, .. args]);

    /// <summary>Runs <c>ekm</c> as the tenant admin of <paramref name="tenant"/>.</summary>
    internal Task<CliResult> AdminAsync(string tenant, params string[] args) => RunAsync(["--api-key", Keys.Admin, "--tenant", tenant, .. args]);

    /// <summary>Runs <c>ekm</c> with the support key.</summary>
    internal Task<CliResult> SupportAsync(string tenant, params string[] args) => RunAsync(["--api-key", Keys.Support, "--tenant", tenant, .. args]);

    /// <summary>A tenant support has activated, with a customer key that admits the vendor, and Enterprise Key Management enabled on it.</summary>
    internal async Task<(string Tenant, string KeyArn)> EnabledTenantAsync()
    {
        var tenant = NewTenant();
        (await SupportAsync(tenant, "support", "activate")).Exits(0);
        var keyArn = (await AwsAsync("create-key", "--admit-vendor", "--api-key", Keys.Admin, "--tenant", tenant)).Exits(0).FirstLine;
        (await AdminAsync(tenant, "enable", keyArn, "--accept-terms")).Exits(0);
        return (tenant, keyArn);
    }

    /// <summary>Runs an <c>ekm aws</c> command against this host's local KMS (signed as customer A by default).</summary>
    internal Task<CliResult> AwsAsync(params string[] args) => RunAsync(["aws", .. args, "--kms-url", Host.KmsUrl]);
}

[CollectionDefinition(Name)]
public sealed class SharedHost : ICollectionFixture<HostFixture>
{
    public const string Name = "ekm host process";
}
