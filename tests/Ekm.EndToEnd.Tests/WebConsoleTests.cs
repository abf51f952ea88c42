using System.Text.RegularExpressions;
using Ekm.LocalKms.Hosting;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Ekm.EndToEnd.Tests;

/// <summary>
/// Settings → Enterprise Key Management in headless Chromium against the real host: what a tenant
/// admin sees and clicks. Screenshots of each step land in <see cref="ConsolePage.ScreenshotFolder"/>.
/// </summary>
[Collection(ConsoleCollectionDefinition.Name)]
public sealed partial class WebConsoleTests(ConsoleFixture fixture, ITestOutputHelper output)
{
    private const string NotAvailable = "Enterprise Key Management is not available for this tenant. Contact support to activate it.";
    private const string Enable = "Enable Enterprise Key Management";
    private const string Update = "Update KMS Key ARN";
    private const string Enabled = "External Cloud Key Management: Enabled";

    [ChromiumFact]
    public Task Console_NotActivated_ShowsOnlyContactSupportUntilSupportActivates() =>
        fixture.RunAsync(nameof(Console_NotActivated_ShowsOnlyContactSupportUntilSupportActivates), output, async console =>
        {
            var page = console.Page;
            var tenant = fixture.Host.NewTenant();
            await console.OpenAsync();

            await console.SignInAsync("not-a-key", tenant.Tenant);
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The API key was not accepted");

            await console.SignInAsync(tenant.Key, tenant.Tenant);
            var ekm = console.Region("Enterprise Key Management");
            await Expect(ekm.GetByText(NotAvailable)).ToBeVisibleAsync();
            await Expect(console.Button(Enable)).ToBeHiddenAsync();
            await Expect(console.Region("Vendor AWS account ID")).ToBeHiddenAsync();
            await Expect(console.Region("Key policy statement")).ToBeHiddenAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToBeHiddenAsync();
            await console.ScreenshotAsync("1-not-activated");

            await fixture.Host.ActivateAsync(tenant.Tenant);
            await page.ReloadAsync();

            var account = console.Region("Vendor AWS account ID");
            await Expect(account).ToContainTextAsync(LocalKmsAccounts.VendorAccountId);
            await Expect(console.Region("Key policy statement")).ToContainTextAsync($"EkmVendorUseKeyForTenant-{tenant.Tenant}");
            await Expect(console.Button(Enable)).ToBeVisibleAsync();
            await Expect(ekm.GetByText(NotAvailable)).ToBeHiddenAsync();

            await account.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
            await Expect(account.GetByText("Copied")).ToBeVisibleAsync();
            Assert.Equal(LocalKmsAccounts.VendorAccountId, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
            await console.ScreenshotAsync("2-activated-copied");

            // The key is kept for this tab only, and only until it closes.
            Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length"));
            Assert.Empty(await page.Context.CookiesAsync());
        });

    [ChromiumFact]
    public Task Console_EnableThenUpdate_ExplainsEachRefusalAndShowsTheKeyInUse() =>
        fixture.RunAsync(nameof(Console_EnableThenUpdate_ExplainsEachRefusalAndShowsTheKeyInUse), output, async console =>
        {
            var page = console.Page;
            var tenant = fixture.Host.NewTenant();
            await fixture.Host.ActivateAsync(tenant.Tenant);
            await console.OpenAsync();
            await console.SignInAsync(tenant.Key, tenant.Tenant);

            using var keys = new CustomerKeys(fixture.Host.LocalKms);
            var statements = await console.PolicyStatementsAsync();
            var withoutVendor = await keys.CreateKeyAsync();
            var first = await keys.CreateKeyAsync();
            await keys.AdmitVendorAsync(first, statements);
            var second = await keys.CreateKeyAsync();
            await keys.AdmitVendorAsync(second, statements);

            await console.Button(Enable).ClickAsync();
            var dialog = console.Dialog(Enable);
            await Expect(dialog).ToBeVisibleAsync();
            var arn = dialog.GetByLabel("KMS key ARN");
            var validate = dialog.GetByRole(AriaRole.Button, new() { Name = "Validate" });
            var save = dialog.GetByRole(AriaRole.Button, new() { Name = "Save" });

            await arn.FillAsync("projects/acme/locations/global/keyRings/backup/cryptoKeys/ekm");
            await validate.ClickAsync();
            await Expect(dialog).ToContainTextAsync("Only AWS KMS keys are supported");
            await Expect(dialog).ToContainTextAsync("This is a Google Cloud KMS key name.");
            await Expect(dialog).ToContainTextAsync("unsupported-key-provider");
            await Expect(save).ToBeDisabledAsync();
            await console.ScreenshotAsync("1-google-key-name");

            await arn.FillAsync("alias/backup-key");
            await validate.ClickAsync();
            await Expect(dialog).ToContainTextAsync("This is not a KMS key ARN");
            await Expect(dialog).ToContainTextAsync("invalid-key-arn");
            await Expect(save).ToBeDisabledAsync();

            await arn.FillAsync(withoutVendor);
            await validate.ClickAsync();
            await Expect(dialog).ToContainTextAsync("The vendor account cannot use this key");
            await Expect(dialog).ToContainTextAsync("Add the statement from the key-policy page to the key's policy.");
            await Expect(dialog).ToContainTextAsync("key-access-denied");
            await Expect(save).ToBeDisabledAsync();
            await console.ScreenshotAsync("2-vendor-not-in-policy");

            await arn.FillAsync(first);
            await validate.ClickAsync();
            await Expect(dialog).ToContainTextAsync("The key passed every check");
            await save.ClickAsync();

            var terms = await fixture.Host.TermsAsync();
            await Expect(dialog.GetByRole(AriaRole.Heading, new() { Name = "Enterprise Key Management terms" })).ToBeVisibleAsync();
            await Expect(dialog).ToContainTextAsync($"Version {terms.Version}");
            await Expect(dialog).ToContainTextAsync(FirstLine(terms.Text));
            await console.ScreenshotAsync("3-terms");

            await dialog.GetByRole(AriaRole.Button, new() { Name = "Yes, I Agree" }).ClickAsync();
            await Expect(dialog).ToBeHiddenAsync();
            var ekm = console.Region("Enterprise Key Management");
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync(Enabled);
            await Expect(ekm).ToContainTextAsync(first);
            await Expect(console.Button(Enable)).ToBeHiddenAsync();
            await console.ScreenshotAsync("4-enabled");

            await console.Button(Update).ClickAsync();
            var update = console.Dialog(Update);
            await update.GetByLabel("New KMS key ARN").FillAsync(second);
            await update.GetByRole(AriaRole.Button, new() { Name = "Validate" }).ClickAsync();
            await Expect(update).ToContainTextAsync("The key passed every check");
            await update.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(update).ToBeHiddenAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync(Enabled);
            await Expect(ekm.GetByRole(AriaRole.Definition).Filter(new() { HasText = "arn:" }).First).ToHaveTextAsync(second);
            await Expect(ekm).ToContainTextAsync($"{first} is no longer used");
            await console.ScreenshotAsync("5-updated");
        });

    [ChromiumFact]
    public Task Console_KeyDisabled_HealthAndJobsShowTheRevocation() =>
        fixture.RunAsync(nameof(Console_KeyDisabled_HealthAndJobsShowTheRevocation), output, async console =>
        {
            var tenant = fixture.Host.NewTenant();
            await fixture.Host.ActivateAsync(tenant.Tenant);
            await console.OpenAsync();
            await console.SignInAsync(tenant.Key, tenant.Tenant);
            using var keys = new CustomerKeys(fixture.Host.LocalKms);
            var key = await EnableWithNewKeyAsync(console, keys);

            var health = console.Region("Key health");
            await health.GetByRole(AriaRole.Button, new() { Name = "Check now" }).ClickAsync();
            await Expect(health).ToContainTextAsync("Healthy");
            await Expect(health.Locator("time")).ToHaveAttributeAsync("datetime", IsoTimestamp());

            var jobs = console.Region("Recent jobs");
            var jobLine = jobs.GetByText(BackupLine());
            await jobs.GetByRole(AriaRole.Button, new() { Name = "Start backup" }).ClickAsync();
            await Expect(jobLine).ToContainTextAsync("Succeeded", new() { Timeout = 90_000 });
            var rows = jobs.GetByRole(AriaRole.Row).Filter(new() { HasText = "Backup · Microsoft365 · manual" });
            await Expect(rows).ToHaveCountAsync(1);
            await Expect(rows.First).ToContainTextAsync("Succeeded");
            await console.ScreenshotAsync("1-backup-succeeded");

            await keys.DisableAsync(key);
            await health.GetByRole(AriaRole.Button, new() { Name = "Check now" }).ClickAsync();
            await Expect(health).ToContainTextAsync("Revoked");
            await Expect(health).ToContainTextAsync("The key is disabled");
            await Expect(health).ToContainTextAsync("key-disabled");
            await console.ScreenshotAsync("2-revoked");

            await jobs.GetByRole(AriaRole.Button, new() { Name = "Start backup" }).ClickAsync();
            await Expect(jobLine).ToContainTextAsync("Failed", new() { Timeout = 90_000 });
            await Expect(jobLine).ToContainTextAsync("key-revoked");
            await Expect(rows).ToHaveCountAsync(2);
            await Expect(rows.First).ToContainTextAsync("Failed");
            await Expect(rows.First).ToContainTextAsync("key-revoked");
            var failures = console.Region("Failures by reason");
            await Expect(failures.GetByRole(AriaRole.Listitem)).ToHaveTextAsync([KeyRevokedOnce()]);
            await console.ScreenshotAsync("3-backup-failed");
        });

    /// <summary>The click path of the second test without its detours: a usable key, validated, saved, terms agreed.</summary>
    private static async Task<string> EnableWithNewKeyAsync(ConsolePage console, CustomerKeys keys)
    {
        var key = await keys.CreateKeyAsync();
        await keys.AdmitVendorAsync(key, await console.PolicyStatementsAsync());
        await console.Button(Enable).ClickAsync();
        var dialog = console.Dialog(Enable);
        await dialog.GetByLabel("KMS key ARN").FillAsync(key);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Validate" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Yes, I Agree" }).ClickAsync();
        await Expect(console.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync(Enabled);
        return key;
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T")]
    private static partial Regex IsoTimestamp();

    /// <summary>What the console says of the backup it started: "Backup 1a2b3c4d: Succeeded, 3 of 3 operations."</summary>
    [GeneratedRegex("^Backup [0-9a-f]{8}: ")]
    private static partial Regex BackupLine();

    [GeneratedRegex(@"^key-revoked The key is revoked: 1$")]
    private static partial Regex KeyRevokedOnce();
}
