using Microsoft.Playwright;

namespace OrleansEnrollment.Tests.Browser;

/// <summary>
/// One headless Chromium per test class: the machine's own (Debian's package), because Playwright's browser download
/// needs the internet. Each simulated person gets a fresh browser context, so their cookies never mix.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing; scripts/install-deps.sh installs the chromium package.");
        }

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // No sandbox: tests may run as root in a container. The rest keeps an offline machine's browser quiet.
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
    }

    /// <summary>A new person at the site: empty cookie jar, relative URLs resolve against <paramref name="site"/>.</summary>
    /// <param name="timeZone">The IANA zone the browser believes it is in; null for the machine's.</param>
    public Task<IBrowserContext> NewVisitorAsync(Uri site, string? timeZone = null) => Browser.NewContextAsync(new BrowserNewContextOptions
    {
        BaseURL = site.ToString(),
        ViewportSize = new ViewportSize { Width = 1280, Height = 860 },
        Locale = "en-GB",
        TimezoneId = timeZone,
    });
}
