using System.Collections.Concurrent;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Ekm.Grains.Kms;
using Ekm.LocalKms.Hosting;
using Microsoft.Extensions.Options;

namespace Ekm.Host.Kms;

/// <summary>
/// The vendor account's AWS KMS clients, one per region (AWSSDK.KeyManagementService): against
/// the embedded local KMS in development, against AWS with the standard credential chain in
/// production. A customer key is always called in its own region.
/// </summary>
internal sealed class KmsClientProvider(IOptions<KmsOptions> options, EmbeddedLocalKms local) : IKmsClientProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, IAmazonKeyManagementService> _clients = new(StringComparer.Ordinal);

    public IAmazonKeyManagementService ForRegion(string region) =>
        _clients.GetOrAdd(string.IsNullOrEmpty(region) ? options.Value.Region : region, Create);

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }

    private IAmazonKeyManagementService Create(string region)
    {
        var o = options.Value;
        var config = new AmazonKeyManagementServiceConfig
        {
            AuthenticationRegion = region,
            Timeout = o.Timeout,
            MaxErrorRetry = o.MaxRetries,
        };
        if (!string.IsNullOrWhiteSpace(o.ServiceUrl))
        {
            config.ServiceURL = o.ServiceUrl;
        }
        else if (local.Enabled)
        {
            config.ServiceURL = local.Server.Endpoint.ToString();
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }

        AWSCredentials? credentials = null;
        if (!string.IsNullOrWhiteSpace(o.AccessKeyId))
        {
            credentials = new BasicAWSCredentials(o.AccessKeyId, o.SecretAccessKey);
        }
        else if (local.Enabled)
        {
            var vendor = local.Server.Accounts.First(a => a.AccountId == LocalKmsAccounts.VendorAccountId).AccessKeys[0];
            credentials = new BasicAWSCredentials(vendor.AccessKeyId, vendor.SecretAccessKey);
        }

        return credentials is null ? new AmazonKeyManagementServiceClient(config) : new AmazonKeyManagementServiceClient(credentials, config);
    }
}
