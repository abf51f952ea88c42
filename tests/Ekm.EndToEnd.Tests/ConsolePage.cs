using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Ekm.EndToEnd.Tests;

/// <summary>The console in one browser tab, found the way a user finds things: by label, role and visible text.</summary>
internal sealed class ConsolePage(IPage page, string test, ITestOutputHelper output)
{
    /// <summary>Screenshots land here, next to the test binaries: <c>TestResults/screenshots/&lt;test&gt;-&lt;step&gt;.png</c>.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public IPage Page => page;

    public async Task OpenAsync() => await page.GotoAsync("/console/");

    public async Task SignInAsync(string apiKey, string tenant)
    {
        await page.GetByLabel("API key", new() { Exact = true }).FillAsync(apiKey);
        await page.GetByLabel("Tenant id", new() { Exact = true }).FillAsync(tenant);
        await Button("Sign in").ClickAsync();
    }

    public ILocator Button(string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    /// <summary>A titled part of the page (a section labelled by its heading).</summary>
    public ILocator Region(string name) => page.GetByRole(AriaRole.Region, new() { Name = name, Exact = true });

    public ILocator Dialog(string name) => page.GetByRole(AriaRole.Dialog, new() { Name = name, Exact = true });

    /// <summary>
    /// The key-policy statements exactly as shown for pasting, once the page has filled them in: read too early, the
    /// block is still empty and the key would be saved with a policy that keeps the vendor out.
    /// </summary>
    public async Task<string> PolicyStatementsAsync()
    {
        var statements = Region("Key policy statement").Locator("pre");
        await Assertions.Expect(statements).ToContainTextAsync("\"Principal\"");
        return await statements.InnerTextAsync();
    }

    public async Task ScreenshotAsync(string step)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var path = Path.Combine(ScreenshotFolder, $"{test}-{step}.png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
    }

    public async Task TryScreenshotAsync(string step)
    {
        try
        {
            await ScreenshotAsync(step);
        }
        catch (PlaywrightException ex)
        {
            output.WriteLine($"no screenshot of '{step}': {ex.Message}");
        }
    }
}
