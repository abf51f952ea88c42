using System.Collections.Concurrent;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Ekm.EndToEnd.Tests;

[CollectionDefinition(Name)]
public sealed class ConsoleCollectionDefinition : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "web console";
}

/// <summary>
/// One host process and one headless Chromium for the console tests; each test gets tenants of its
/// own and a fresh browser context (its own session storage and clipboard permissions).
/// Nothing starts where Chromium is missing: the tests skip.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    internal ConsoleHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (Chromium.ExecutablePath is not { } chromium)
        {
            return;
        }

        // Belt and braces: this suite uses the system Chromium and never fetches a browser.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Host = await ConsoleHost.StartAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox"], // tests run as root
        });
        Assertions.SetDefaultExpectTimeout(20_000);
    }

    /// <summary>
    /// Runs a test's steps on a new page; if a step fails, the page is kept as a screenshot and the
    /// browser's console errors and the host's last lines go to the test output.
    /// </summary>
    internal async Task RunAsync(string test, ITestOutputHelper output, Func<ConsolePage, Task> steps)
    {
        await using var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Host.BaseAddress.ToString(),
            Permissions = ["clipboard-read", "clipboard-write"],
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        var page = await context.NewPageAsync();
        var browserLog = new ConcurrentQueue<string>();
        page.Console += (_, message) => browserLog.Enqueue($"{message.Type}: {message.Text}");
        page.PageError += (_, error) => browserLog.Enqueue($"page error: {error}");
        var console = new ConsolePage(page, test, output);
        try
        {
            await steps(console);
        }
        catch
        {
            await console.TryScreenshotAsync("failed");
            output.WriteLine("browser console:\n" + string.Join('\n', browserLog));
            output.WriteLine("host output (last lines):\n" + Host.OutputTail);
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
    }
}
