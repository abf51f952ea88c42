using Amazon.KeyManagementService;
using Amazon.Runtime;
using Ekm.LocalKms.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Ekm.LocalKms.Tests;

/// <summary>
/// A local KMS in memory on a free loopback port, reached only through the real AWS SDK for .NET.
/// Shared by a test class; every test creates keys of its own. Its clock is fake so tests can
/// let a deletion waiting period pass.
/// </summary>
public sealed class LocalKmsFixture : IAsyncLifetime
{
    public const string Region = "us-east-1";

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public LocalKmsServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await LocalKmsServer.StartAsync(new LocalKmsOptions { Port = 0 }, Time);

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public IAmazonKeyManagementService Vendor(string region = Region) => ClientFor(LocalKmsAccounts.VendorAccountId, region);

    public IAmazonKeyManagementService CustomerA(string region = Region) => ClientFor(LocalKmsAccounts.CustomerAAccountId, region);

    public IAmazonKeyManagementService CustomerB(string region = Region) => ClientFor(LocalKmsAccounts.CustomerBAccountId, region);

    public IAmazonKeyManagementService ClientFor(string accountId, string region = Region)
    {
        var key = Server.Accounts.Single(a => a.AccountId == accountId).AccessKeys[0];
        return Client(key.AccessKeyId, key.SecretAccessKey, region);
    }

    public IAmazonKeyManagementService Client(string accessKeyId, string secret, string region = Region) =>
        new AmazonKeyManagementServiceClient(new BasicAWSCredentials(accessKeyId, secret), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = Server.Endpoint.ToString(),
            AuthenticationRegion = region,
            MaxErrorRetry = 0,
        });
}
