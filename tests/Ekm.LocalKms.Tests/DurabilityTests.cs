using System.Net;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Ekm.LocalKms.Faults;
using Ekm.LocalKms.Hosting;

namespace Ekm.LocalKms.Tests;

/// <summary>
/// What a local KMS keeps across a restart on its data file, and the test controls (faults,
/// counters). Every test starts servers of its own, so no rule or count leaks into other tests.
/// </summary>
public sealed class DurabilityTests
{
    private const string CustomerA = LocalKmsAccounts.CustomerAAccountId;

    [Fact]
    public async Task Restart_OnSameDataFile_KeepsKeysAliasesGrantsPoliciesAndState()
    {
        var dataFile = NewDataFile();
        try
        {
            var alias = "alias/durability-" + Guid.NewGuid().ToString("N");
            KeyMetadata policyKey, grantKey, disabledKey;
            MemoryStream policyBlob, grantBlob;
            string grantId;
            await using (var before = await StartAsync(dataFile))
            {
                using var customer = LocalKmsFixture.ClientFor(before, CustomerA);
                policyKey = await customer.NewKeyAsync(KeyPolicies.OwnerAndVendorForContoso(CustomerA));
                grantKey = await customer.NewKeyAsync();
                disabledKey = await customer.NewKeyAsync();
                await customer.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = policyKey.KeyId });
                policyBlob = await customer.EncryptTextAsync(policyKey.KeyId, "under a policy", KmsCalls.Tenant("contoso"));
                grantBlob = await customer.EncryptTextAsync(grantKey.KeyId, "under a grant", KmsCalls.Tenant("contoso"));
                grantId = (await customer.CreateGrantAsync(new CreateGrantRequest
                {
                    KeyId = grantKey.KeyId,
                    GranteePrincipal = KeyPolicies.VendorRoot,
                    Operations = [GrantOperation.Decrypt],
                })).GrantId;
                await customer.DisableKeyAsync(new DisableKeyRequest { KeyId = disabledKey.KeyId });
            }

            await using var after = await StartAsync(dataFile);
            using var customerAfter = LocalKmsFixture.ClientFor(after, CustomerA);
            using var vendorAfter = LocalKmsFixture.ClientFor(after, LocalKmsAccounts.VendorAccountId);

            Assert.Equal(("under a policy", policyKey.Arn), await customerAfter.DecryptTextAsync(policyBlob, KmsCalls.Tenant("contoso")));
            Assert.Equal(policyKey.Arn, (await customerAfter.EncryptAsync(new EncryptRequest
            {
                KeyId = alias,
                Plaintext = new MemoryStream([1]),
            })).KeyId);
            Assert.Equal(("under a policy", policyKey.Arn), await vendorAfter.DecryptTextAsync(policyBlob, KmsCalls.Tenant("contoso")));
            await KmsCalls.ErrorAsync("AccessDeniedException", () => vendorAfter.DecryptTextAsync(policyBlob));
            Assert.Equal(("under a grant", grantKey.Arn), await vendorAfter.DecryptTextAsync(grantBlob, KmsCalls.Tenant("contoso")));
            Assert.Equal(grantId, Assert.Single((await customerAfter.ListGrantsAsync(new ListGrantsRequest { KeyId = grantKey.KeyId })).Grants).GrantId);
            var disabled = await customerAfter.DescribeKeyAsync(new DescribeKeyRequest { KeyId = disabledKey.KeyId });
            Assert.Equal(KeyState.Disabled, disabled.KeyMetadata.KeyState);
            await KmsCalls.ErrorAsync("DisabledException", () => customerAfter.EncryptTextAsync(disabledKey.KeyId, "refused"));
        }
        finally
        {
            DeleteDataFile(dataFile);
        }
    }

    [Fact]
    public async Task DataFile_AfterDispose_IsCompleteOnItsOwn()
    {
        // Someone who stops the server and copies its data file must get every key, not a file whose
        // latest writes still sit in a write-ahead log held open by the stopped server.
        var dataFile = NewDataFile();
        var copy = NewDataFile();
        try
        {
            KeyMetadata key;
            await using (var before = await StartAsync(dataFile))
            {
                using var customer = LocalKmsFixture.ClientFor(before, CustomerA);
                key = await customer.NewKeyAsync();
            }

            File.Copy(dataFile, copy);
            File.Copy(dataFile + ".key", copy + ".key"); // the data file is sealed: a working copy needs its key
            await using var after = await StartAsync(copy);
            using var customerAfter = LocalKmsFixture.ClientFor(after, CustomerA);

            Assert.Equal(key.Arn, (await customerAfter.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.Arn);
        }
        finally
        {
            DeleteDataFile(dataFile);
            DeleteDataFile(copy);
        }
    }

    [Fact]
    public async Task ThrottleRule_ForOneKey_ThrottlesOnlyThatKey()
    {
        await using var server = await StartAsync();
        using var client = LocalKmsFixture.ClientFor(server, CustomerA);
        var throttled = await client.NewKeyAsync();
        var other = await client.NewKeyAsync();
        var throttledBlob = await client.EncryptTextAsync(throttled.KeyId, "throttled");
        var otherBlob = await client.EncryptTextAsync(other.KeyId, "fine");

        server.Faults.Add(new FaultRule { Operation = "Decrypt", KeyId = throttled.KeyId, ThrottleRate = 1 });

        await KmsCalls.ErrorAsync("ThrottlingException", () => client.DecryptTextAsync(throttledBlob));
        Assert.Equal(("fine", other.Arn), await client.DecryptTextAsync(otherBlob));
        await client.EncryptTextAsync(throttled.KeyId, "other operations are not throttled");
        Assert.Equal(1, server.Counters.Count("Decrypt", throttled.Arn, "ThrottlingException"));
    }

    [Fact]
    public async Task InternalErrorRule_Decrypt_IsHttp500KmsInternal()
    {
        await using var server = await StartAsync();
        using var client = LocalKmsFixture.ClientFor(server, CustomerA);
        var key = await client.NewKeyAsync();
        var blob = await client.EncryptTextAsync(key.KeyId, "secret");
        server.Faults.Add(new FaultRule { Operation = "Decrypt", KeyId = key.Arn, InternalErrorRate = 1 });

        var error = await KmsCalls.ErrorAsync("KMSInternalException", () => client.DecryptTextAsync(blob));

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        server.Faults.Clear();
        Assert.Equal(("secret", key.Arn), await client.DecryptTextAsync(blob));
    }

    [Fact]
    public async Task AnyKeyRule_OperationsNamingNoKey_AreThrottledWithoutEffect()
    {
        await using var server = await StartAsync();
        using var client = LocalKmsFixture.ClientFor(server, CustomerA);
        var key = await client.NewKeyAsync();

        server.Faults.Add(new FaultRule { ThrottleRate = 1 });

        await KmsCalls.ErrorAsync("ThrottlingException", () => client.NewKeyAsync());
        await KmsCalls.ErrorAsync("ThrottlingException", () => client.ListKeysAsync(new ListKeysRequest()));
        await KmsCalls.ErrorAsync("ThrottlingException", () => client.EncryptTextAsync(key.KeyId, "secret"));
        server.Faults.Clear();
        Assert.Equal(key.KeyId, Assert.Single((await client.ListKeysAsync(new ListKeysRequest())).Keys).KeyId);
    }

    [Fact]
    public async Task KeyRuleAtHalfRate_DecryptNamingItsKey_ThrottlesAboutHalf()
    {
        // Decrypt with KeyId resolves the key twice (the blob's key and the named one); the rule must still be drawn once.
        const int Calls = 200;
        await using var server = await StartAsync();
        using var client = LocalKmsFixture.ClientFor(server, CustomerA);
        var key = await client.NewKeyAsync();
        var blob = await client.EncryptTextAsync(key.KeyId, "secret");
        server.Faults.Add(new FaultRule { Operation = "Decrypt", KeyId = key.KeyId, ThrottleRate = 0.5 });

        var throttled = 0;
        for (var i = 0; i < Calls; i++)
        {
            try
            {
                await client.DecryptTextAsync(blob, keyId: key.Arn);
            }
            catch (AmazonServiceException e) when (e.ErrorCode == "ThrottlingException")
            {
                throttled++;
            }
        }

        Assert.InRange(throttled, Calls * 4 / 10, Calls * 6 / 10);
        Assert.Equal(throttled, server.Counters.Count("Decrypt", key.Arn, "ThrottlingException"));
        Assert.Equal(Calls - throttled, server.Counters.Count("Decrypt", key.Arn, "Success"));
    }

    [Fact]
    public async Task Counters_DecryptCalls_CountsExactlyTheCallsMadePerKeyAndOutcome()
    {
        await using var server = await StartAsync();
        using var client = LocalKmsFixture.ClientFor(server, CustomerA);
        var key = await client.NewKeyAsync();
        var other = await client.NewKeyAsync();
        var blob = await client.EncryptTextAsync(key.KeyId, "secret", KmsCalls.Tenant("contoso"));
        var otherBlob = await client.EncryptTextAsync(other.KeyId, "other");

        for (var i = 0; i < 3; i++)
        {
            await client.DecryptTextAsync(blob, KmsCalls.Tenant("contoso"));
        }

        await KmsCalls.ErrorAsync("InvalidCiphertextException", () => client.DecryptTextAsync(blob, KmsCalls.Tenant("fabrikam")));
        await client.DecryptTextAsync(otherBlob);

        Assert.Equal(3, server.Counters.Count("Decrypt", key.Arn, "Success"));
        Assert.Equal(1, server.Counters.Count("Decrypt", key.Arn, "InvalidCiphertextException"));
        Assert.Equal(1, server.Counters.Count("Decrypt", other.Arn, "Success"));
        Assert.Equal(1, server.Counters.Count("Encrypt", key.Arn));
        Assert.Equal(5, server.Counters.Count("Decrypt"));
    }

    /// <summary>A server of the test's own: in memory, or on a data file.</summary>
    private static Task<LocalKmsServer> StartAsync(string? dataFile = null) =>
        LocalKmsServer.StartAsync(new LocalKmsOptions { Port = 0, DataFile = dataFile });

    private static string NewDataFile() => Path.Combine(Path.GetTempPath(), $"localkms-durability-{Guid.NewGuid():N}.db");

    private static void DeleteDataFile(string dataFile)
    {
        foreach (var file in new[] { dataFile, dataFile + "-wal", dataFile + "-shm", dataFile + ".key" })
        {
            File.Delete(file);
        }
    }
}
