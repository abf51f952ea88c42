using Ekm.Grains.Kms;
using Amazon.KeyManagementService.Model;
using Ekm.LocalKms.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Ekm.Host.Tests;

public sealed class EmbeddedKmsTests(HostFixture host) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task KmsClient_FromTheHost_ReachesTheEmbeddedLocalKmsAsTheVendorAccount()
    {
        var kms = host.Factory.Services.GetRequiredService<IKmsClientProvider>().ForRegion("us-east-1");
        var created = await kms.CreateKeyAsync(new CreateKeyRequest { Description = "vendor key" });
        var described = await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = created.KeyMetadata.Arn });

        Assert.Equal(LocalKmsAccounts.VendorAccountId, described.KeyMetadata.AWSAccountId);
        Assert.StartsWith("arn:aws:kms:us-east-1:111122223333:key/", described.KeyMetadata.Arn, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(host.DataDirectory, "localkms.db")));
    }
}
