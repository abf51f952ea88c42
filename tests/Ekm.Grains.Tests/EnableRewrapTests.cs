using Ekm.Keys;
using Ekm.LocalKms.Faults;
using Ekm.LocalKms.Hosting;

namespace Ekm.Grains.Tests;

public sealed class EnableRewrapTests : IDisposable
{
    private readonly TestDatabase _database = new();

    /// <summary>
    /// Under Cloud Key Management the tenant key is wrapped by the vendor key; enabling moves that
    /// same key under the customer key (so data written before stays readable) and the vendor-wrapped
    /// copy is gone from the stored state. The local KMS holds the enable's ReEncrypt answer so the
    /// test can read the state as it was under the vendor key.
    /// </summary>
    [Fact]
    public async Task Enable_RewrapsTheSameTenantKeyFromVendorToCustomerKey()
    {
        await using var c = await SqliteCluster.StartAsync(_database.Path);
        const string Tenant = "rewrap";
        var customerKey = await CustomerKeys.CreateCustomerKeyAsync(c, Tenant);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        c.Kms.Faults.Add(new FaultRule
        {
            Operation = "ReEncrypt",
            KeyId = customerKey,
            Latency = TimeSpan.FromSeconds(10), // the answer waits; the state is read meanwhile
            OnMatch = () => held.TrySetResult(),
        });

        var enable = CustomerKeys.EnableEkmAsync(c, Tenant, customerKey);
        await held.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var underVendor = await StoredKeyState.ReadAsync(_database.Path, Tenant);
        var vendorWrapped = StoredKeyState.Text(underVendor, "WrappedTenantKey");
        Assert.StartsWith($"arn:aws:kms:us-east-1:{LocalKmsAccounts.VendorAccountId}:key/", StoredKeyState.Text(underVendor, "WrappingKeyArn"), StringComparison.Ordinal);
        var tenantKeyUnderVendor = await StoredKeyState.UnwrapTenantKeyAsync(c, underVendor, Tenant);
        var status = await enable;

        var underCustomer = await StoredKeyState.ReadAsync(_database.Path, Tenant);
        Assert.Equal(KeyManagementMode.EnterpriseKeyManagement, status.Mode);
        Assert.Equal(customerKey, StoredKeyState.Text(underCustomer, "WrappingKeyArn"));
        Assert.NotEqual(vendorWrapped, StoredKeyState.Text(underCustomer, "WrappedTenantKey"));
        Assert.DoesNotContain(vendorWrapped!, underCustomer.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(tenantKeyUnderVendor, await StoredKeyState.UnwrapTenantKeyAsync(c, underCustomer, Tenant));
    }

    public void Dispose() => _database.Dispose();
}
