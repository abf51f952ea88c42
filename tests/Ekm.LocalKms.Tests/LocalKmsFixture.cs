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

    public IAmazonKeyManagementService ClientFor(string accountId, string region = Region) => ClientFor(Server, accountId, region);

    public IAmazonKeyManagementService Client(string accessKeyId, string secret, string region = Region) =>
        Client(Server.Endpoint, accessKeyId, secret, region);

    /// <summary>A client signing as an account's first access key, for a server a test starts itself.</summary>
    public static IAmazonKeyManagementService ClientFor(LocalKmsServer server, string accountId, string region = Region)
    {
        var key = server.Accounts.Single(a => a.AccountId == accountId).AccessKeys[0];
        return Client(server.Endpoint, key.AccessKeyId, key.SecretAccessKey, region);
    }

    /// <summary>A client with retries off; <paramref name="http"/> lets a test put its own handler under the SDK.</summary>
    public static IAmazonKeyManagementService Client(Uri endpoint, string accessKeyId, string secret, string region = Region, HttpClientFactory? http = null) =>
        new AmazonKeyManagementServiceClient(new BasicAWSCredentials(accessKeyId, secret), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = endpoint.ToString(),
            AuthenticationRegion = region,
            MaxErrorRetry = 0,
            HttpClientFactory = http,
        });
}
