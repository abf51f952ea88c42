using Amazon.KeyManagementService;

namespace Ekm.Grains.Kms;

/// <summary>
/// AWS KMS clients of the vendor account, one per region: a customer key is called in its own
/// region (from its ARN). The host decides endpoint and credentials.
/// </summary>
public interface IKmsClientProvider
{
    IAmazonKeyManagementService ForRegion(string region);
}
