using Amazon.KeyManagementService;
using Amazon.Runtime;
using Ekm.LocalKms.Hosting;
using Microsoft.Extensions.Options;

namespace Ekm.Host.Kms;

/// <summary>
/// Builds the service's AWS KMS client (AWSSDK.KeyManagementService) from <see cref="KmsOptions"/>:
/// against the embedded local KMS in development, against AWS with the standard credential
/// chain in production.
/// </summary>
internal static class KmsClientFactory
{
    public static IAmazonKeyManagementService Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<KmsOptions>>().Value;
        var local = services.GetRequiredService<EmbeddedLocalKms>();
        var config = new AmazonKeyManagementServiceConfig { AuthenticationRegion = options.Region };
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
        }
        else if (local.Enabled)
        {
            config.ServiceURL = local.Server.Endpoint.ToString();
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }

        AWSCredentials? credentials = null;
        if (!string.IsNullOrWhiteSpace(options.AccessKeyId))
        {
            credentials = new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey);
        }
        else if (local.Enabled)
        {
            var vendor = local.Server.Accounts.First(a => a.AccountId == LocalKmsAccounts.VendorAccountId).AccessKeys[0];
            credentials = new BasicAWSCredentials(vendor.AccessKeyId, vendor.SecretAccessKey);
        }

        return credentials is null ? new AmazonKeyManagementServiceClient(config) : new AmazonKeyManagementServiceClient(credentials, config);
    }
}
