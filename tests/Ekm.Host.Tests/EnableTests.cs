using System.Net;
using System.Text.Json;
using Ekm.Problems;

namespace Ekm.Host.Tests;

/// <summary>Enabling Enterprise Key Management, updating the key, and the audit trail, over HTTP.</summary>
public sealed class EnableTests(HostFixture host) : IClassFixture<HostFixture>
{
    private const string EnabledLine = "External Cloud Key Management: Enabled";

    [Fact]
    public async Task Enable_NotActivated_EkmNotActivatedAndNothingSaved()
    {
        using var kms = new CustomerKms(host);
        using var tenant = TenantSession.New(host);
        var keyArn = await tenant.NewUsableKeyAsync(kms);

        await ProblemAssert.IsProblemAsync(await tenant.EnableAsync(keyArn), HttpStatusCode.Conflict, ProblemSlugs.EkmNotActivated);
        await tenant.AssertNothingSavedAsync();
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, "1999-01-01")]
    [InlineData(true, "")]
    public async Task Enable_TermsNotAccepted_TermsNotAcceptedAndNothingSaved(bool acceptTerms, string? termsVersion)
    {
        using var kms = new CustomerKms(host);
        using var tenant = await TenantSession.ActivatedAsync(host);
        var keyArn = await tenant.NewUsableKeyAsync(kms);

        var response = await tenant.EnableAsync(keyArn, acceptTerms, termsVersion);

        var detail = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, ProblemSlugs.TermsNotAccepted);
        Assert.Contains(await tenant.TermsVersionAsync(), detail, StringComparison.Ordinal);
        await tenant.AssertNothingSavedAsync();
    }

    [Fact]
    public async Task Enable_DisabledKey_KeySlugAndNothingSaved()
    {
        using var kms = new CustomerKms(host);
        using var tenant = await TenantSession.ActivatedAsync(host);
        var keyArn = await tenant.NewUsableKeyAsync(kms);
        await kms.DisableAsync(keyArn);

        await ProblemAssert.IsProblemAsync(await tenant.EnableAsync(keyArn), HttpStatusCode.UnprocessableEntity, ProblemSlugs.KeyDisabled);
        await tenant.AssertNothingSavedAsync();
    }

    [Fact]
    public async Task Enable_UsableKey_EnabledWithKeyTermsAndHistory()
    {
        using var kms = new CustomerKms(host);
        using var tenant = await TenantSession.ActivatedAsync(host);
        var keyArn = await tenant.NewUsableKeyAsync(kms);
        var version = await tenant.TermsVersionAsync();

        var enabled = await Http.OkAsync(await tenant.EnableAsync(keyArn));

        Assert.Equal(enabled.GetRawText(), (await tenant.StatusAsync()).GetRawText());
        Assert.Equal("EnterpriseKeyManagement", enabled.GetProperty("mode").GetString());
        Assert.Equal(EnabledLine, enabled.GetProperty("statusLine").GetString());
        Assert.Equal(keyArn, enabled.GetProperty("keyArn").GetString());
        var terms = enabled.GetProperty("terms");
        Assert.Equal(tenant.AdminName, terms.GetProperty("acceptedBy").GetString());
        Assert.Equal(version, terms.GetProperty("version").GetString());
        Assert.Equal([keyArn], HistoryArns(enabled));
        Assert.Equal("Healthy", enabled.GetProperty("health").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Enable_AliasArn_StoresTheKeyArn()
    {
        using var kms = new CustomerKms(host);
        using var tenant = await TenantSession.ActivatedAsync(host);
        var keyArn = await tenant.NewUsableKeyAsync(kms);

        var enabled = await Http.OkAsync(await tenant.EnableAsync(await kms.CreateAliasAsync(keyArn)));

        Assert.Equal(keyArn, enabled.GetProperty("keyArn").GetString());
        Assert.Equal([keyArn], HistoryArns(enabled));
    }

    [Fact]
    public async Task Enable_SameAliasArnAgain_SameState()
    {
        using var kms = new CustomerKms(host);
        using var tenant = await TenantSession.ActivatedAsync(host);
        var aliasArn = await kms.CreateAliasAsync(await tenant.NewUsableKeyAsync(kms));
        var first = await Http.OkAsync(await tenant.EnableAsync(aliasArn));

        var again = await Http.OkAsync(await tenant.EnableAsync(aliasArn));

        Assert.Equal(first.GetRawText(), again.GetRawText());
    }

    [Fact]
    public async Task Enable_SameKeyAgain_SameState()
    {
        using var kms = new CustomerKms(host);
        using var tenant = await TenantSession.ActivatedAsync(host);
        var keyArn = await tenant.EnableWithNewKeyAsync(kms);
        var first = await tenant.StatusAsync();

        var again = await Http.OkAsync(await tenant.EnableAsync(keyArn));

        Assert.Equal(first.GetRawText(), again.GetRawText());
    }

    [Fact]
    public async Task Enable_AnotherKeyOnceEnabled_EkmAlreadyEnabledAndKeyUnchanged()
    {
        using var kms = new CustomerKms(host);
        using var tenant = await TenantSession.ActivatedAsync(host);
        var keyArn = await tenant.EnableWithNewKeyAsync(kms);
        var other = await tenant.NewUsableKeyAsync(kms);

        await ProblemAssert.IsProblemAsync(await tenant.EnableAsync(other), HttpStatusCode.Conflict, ProblemSlugs.EkmAlreadyEnabled);
        Assert.Equal(keyArn, (await tenant.StatusAsync()).GetProperty("keyArn").GetString());
    }

    [Fact]
    public async Task Availability_SupportDeactivatesOnceEnabled_EkmIrreversibleAndStillEnabled()
    {
        using var kms = new CustomerKms(host);
        using var tenant = await TenantSession.ActivatedAsync(host);
        var keyArn = await tenant.EnableWithNewKeyAsync(kms);

        await ProblemAssert.IsProblemAsync(await tenant.SetAvailabilityAsync(false), HttpStatusCode.Conflict, ProblemSlugs.EkmIrreversible);

        var status = await tenant.StatusAsync();
        Assert.Equal(EnabledLine, status.GetProperty("statusLine").GetString());
        Assert.Equal(keyArn, status.GetProperty("keyArn").GetString());
        Assert.True(status.GetProperty("ekmAvailable").GetBoolean());
    }

    [Fact]
    public async Task UpdateKey_SecondUsableKey_HistoryHasBothAndOldKeyMayBeDisabled()
    {
        using var kms = new CustomerKms(host);
        using var tenant = await TenantSession.ActivatedAsync(host);
        var oldKey = await tenant.EnableWithNewKeyAsync(kms);
        var newKey = await tenant.NewUsableKeyAsync(kms);

        var updated = await Http.OkAsync(await tenant.UpdateKeyAsync(newKey));

        Assert.Equal(newKey, updated.GetProperty("keyArn").GetString());
        Assert.Equal(JsonValueKind.Null, updated.GetProperty("pendingKeyArn").ValueKind);
        Assert.Equal([oldKey, newKey], HistoryArns(updated));
        var retired = Assert.Single(updated.GetProperty("retiredKeys").EnumerateArray()).GetString()!;
        Assert.Contains(oldKey, retired, StringComparison.Ordinal);
        Assert.Contains("may be disabled", retired, StringComparison.Ordinal);

        // The tenant key now lives under the new key alone: the old one can go.
        await kms.DisableAsync(oldKey);
        var health = await tenant.CheckHealthAsync();
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
    }

    [Fact]
    public async Task UpdateKey_OldKeyDisabled_OldKeyUnavailableAndStateUnchanged()
    {
        using var kms = new CustomerKms(host);
        using var tenant = await TenantSession.ActivatedAsync(host);
        var oldKey = await tenant.EnableWithNewKeyAsync(kms);
        var newKey = await tenant.NewUsableKeyAsync(kms);
        await kms.DisableAsync(oldKey);

        var detail = await ProblemAssert.IsProblemAsync(await tenant.UpdateKeyAsync(newKey), HttpStatusCode.Conflict, ProblemSlugs.OldKeyUnavailable);

        Assert.Contains(oldKey, detail, StringComparison.Ordinal);
        var status = await tenant.StatusAsync();
        Assert.Equal(oldKey, status.GetProperty("keyArn").GetString());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("pendingKeyArn").ValueKind);
        Assert.Equal([oldKey], HistoryArns(status));
    }

    [Fact]
    public async Task HealthCheck_KeyDisabledAfterEnable_RevokedWithKeyDisabled()
    {
        using var kms = new CustomerKms(host);
        using var tenant = await TenantSession.ActivatedAsync(host);
        var keyArn = await tenant.EnableWithNewKeyAsync(kms);
        await kms.DisableAsync(keyArn);

        var health = await tenant.CheckHealthAsync();

        Assert.Equal("Revoked", health.GetProperty("status").GetString());
        Assert.Equal(ProblemSlugs.KeyDisabled, health.GetProperty("reason").GetString());
        var status = await tenant.StatusAsync();
        Assert.Equal("Revoked", status.GetProperty("health").GetProperty("status").GetString());
        Assert.Equal(keyArn, status.GetProperty("keyArn").GetString());
    }

    [Fact]
    public async Task Audit_AfterTheLifecycle_EventsNewestFirstAndChainValid()
    {
        using var kms = new CustomerKms(host);
        using var tenant = await TenantSession.ActivatedAsync(host);
        var firstKey = await tenant.NewUsableKeyAsync(kms);
        await Http.OkAsync(await tenant.ValidateAsync(firstKey));
        await Http.OkAsync(await tenant.EnableAsync(firstKey));
        var secondKey = await tenant.NewUsableKeyAsync(kms);
        await Http.OkAsync(await tenant.UpdateKeyAsync(secondKey));

        var audit = await tenant.AuditAsync();

        Assert.True(audit.GetProperty("chainValid").GetBoolean());
        var entries = audit.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(
            ["KeyUpdated", "KeyUpdateStarted", "EkmEnabled", "KeyValidated", "AvailabilityChanged"],
            entries.Select(e => e.GetProperty("event").GetProperty("kind").GetString()));
        var sequences = entries.Select(e => e.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.OrderDescending(), sequences);
        Assert.Equal(secondKey, entries[0].GetProperty("event").GetProperty("keyArn").GetString());
        Assert.Equal(firstKey, entries[2].GetProperty("event").GetProperty("keyArn").GetString());
        Assert.Equal(tenant.AdminName, entries[2].GetProperty("event").GetProperty("actor").GetString());
        Assert.Equal("support-desk", entries[^1].GetProperty("event").GetProperty("actor").GetString());
    }

    private static List<string> HistoryArns(JsonElement status) =>
        [.. status.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("keyArn").GetString()!)];

    [Fact]
    public async Task Status_AfterTheCustomerTurnsOnRotation_ShowsTheRotationSettingsKmsReports()
    {
        using var kms = new CustomerKms(host);
        using var session = await TenantSession.ActivatedAsync(host);
        var key = await session.EnableWithNewKeyAsync(kms);
        Assert.False((await session.StatusAsync()).GetProperty("rotation").GetProperty("automaticRotationEnabled").GetBoolean());

        await kms.EnableRotationAsync(key, 200);
        await session.CheckHealthAsync();
        var rotation = (await session.StatusAsync()).GetProperty("rotation");

        Assert.True(rotation.GetProperty("automaticRotationEnabled").GetBoolean());
        Assert.Equal(200, rotation.GetProperty("rotationPeriodInDays").GetInt32());
        Assert.Equal(JsonValueKind.String, rotation.GetProperty("nextRotationDate").ValueKind);
    }
}
