using Amazon.KeyManagementService.Model;
using Ekm.Grains.Keys;
using Ekm.Grains.Kms;
using Microsoft.Extensions.Options;

namespace Ekm.Host.Kms;

/// <summary>
/// The vendor's own KMS key (wraps tenant keys under Cloud Key Management): <c>Ekm:Kms:VendorKeyArn</c>,
/// or, with the embedded local KMS and no ARN configured, the key behind <c>alias/ekm-vendor-key</c>
/// in the vendor account, created on first start. Resolved before the silo starts.
/// </summary>
internal sealed class VendorKey(IOptions<KmsOptions> options, EmbeddedLocalKms local, IKmsClientProvider clients) : IVendorKey, IHostedService
{
    public const string LocalAlias = "alias/ekm-vendor-key";

    private string? _arn;

    public string KeyArn => _arn ?? throw new InvalidOperationException("The vendor key is not resolved yet.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(options.Value.VendorKeyArn))
        {
            _arn = options.Value.VendorKeyArn;
            return;
        }

        if (!local.Enabled)
        {
            throw new InvalidOperationException("Ekm:Kms:VendorKeyArn is required when the local KMS is off.");
        }

        var kms = clients.ForRegion(options.Value.Region);
        try
        {
            _arn = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = LocalAlias }, cancellationToken)).KeyMetadata.Arn;
        }
        catch (NotFoundException)
        {
            var created = await kms.CreateKeyAsync(new CreateKeyRequest { Description = "Ekm.Orleans vendor key (Cloud Key Management)" }, cancellationToken);
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = LocalAlias, TargetKeyId = created.KeyMetadata.KeyId }, cancellationToken);
            _arn = created.KeyMetadata.Arn;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
