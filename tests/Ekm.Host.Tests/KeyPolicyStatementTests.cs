using System.Net;
using System.Text.Json;
using Ekm.LocalKms.Hosting;
using Ekm.Problems;

namespace Ekm.Host.Tests;

/// <summary>What the service asks customers to put in their key policy, and what that policy then allows.</summary>
public sealed class KeyPolicyStatementTests(HostFixture host) : IClassFixture<HostFixture>
{
    private const string VendorRoot = $"arn:aws:iam::{LocalKmsAccounts.VendorAccountId}:root";

    [Fact]
    public async Task VendorAccount_TenantAdmin_IsTheVendorsAwsAccount()
    {
        using var tenant = TenantSession.New(host);
        var body = await Http.OkAsync(await tenant.Admin.GetAsync("/api/ekm/vendor-account"));
        Assert.Equal(LocalKmsAccounts.VendorAccountId, body.GetProperty("accountId").GetString());
    }

    [Fact]
    public async Task KeyPolicy_EveryCryptographicStatement_ConditionedOnThisTenantsEncryptionContext()
    {
        using var tenant = TenantSession.New(host);
        var policy = await tenant.KeyPolicyAsync();
        Assert.Equal(LocalKmsAccounts.VendorAccountId, policy.GetProperty("vendorAccountId").GetString());

        var statements = policy.GetProperty("statements").EnumerateArray().ToList();
        Assert.NotEmpty(statements);
        var granted = new List<string>();
        foreach (var statement in statements)
        {
            Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
            Assert.Equal(VendorRoot, statement.GetProperty("Principal").GetProperty("AWS").GetString());
            var actions = Actions(statement);
            granted.AddRange(actions);
            if (actions.All(a => a is "kms:DescribeKey" or "kms:GetKeyRotationStatus"))
            {
                continue; // metadata reads carry no encryption context to condition on
            }

            var condition = statement.GetProperty("Condition").GetProperty("StringEquals");
            Assert.Equal(tenant.Tenant, condition.GetProperty("kms:EncryptionContext:ekm-tenant").GetString());
        }

        Assert.Contains("kms:Decrypt", granted);
        Assert.Contains("kms:GenerateDataKey*", granted);
        Assert.DoesNotContain(granted, a => a is "kms:*" or "kms:PutKeyPolicy" or "kms:ScheduleKeyDeletion" or "kms:DisableKey");
    }

    [Fact]
    public async Task KeyPolicy_PastedIntoCustomerKey_ThisTenantEnablesAndAnotherTenantIsDenied()
    {
        using var kms = new CustomerKms(host);
        using var owner = await TenantSession.ActivatedAsync(host);
        using var other = await TenantSession.ActivatedAsync(host);
        var keyArn = await owner.NewUsableKeyAsync(kms);

        var validated = await Http.OkAsync(await owner.ValidateAsync(keyArn));
        Assert.Equal(keyArn, validated.GetProperty("keyArn").GetString());
        await ProblemAssert.IsProblemAsync(await other.ValidateAsync(keyArn), HttpStatusCode.UnprocessableEntity, ProblemSlugs.KeyAccessDenied);

        await Http.OkAsync(await owner.EnableAsync(keyArn));
        await ProblemAssert.IsProblemAsync(await other.EnableAsync(keyArn), HttpStatusCode.UnprocessableEntity, ProblemSlugs.KeyAccessDenied);

        var enabled = await owner.StatusAsync();
        Assert.Equal("External Cloud Key Management: Enabled", enabled.GetProperty("statusLine").GetString());
        Assert.Equal(keyArn, enabled.GetProperty("keyArn").GetString());
        await other.AssertNothingSavedAsync();
    }

    private static List<string> Actions(JsonElement statement)
    {
        var action = statement.GetProperty("Action");
        return action.ValueKind == JsonValueKind.Array
            ? [.. action.EnumerateArray().Select(a => a.GetString()!)]
            : [action.GetString()!];
    }
}
