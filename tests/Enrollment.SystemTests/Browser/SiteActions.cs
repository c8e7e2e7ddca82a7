using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrleansEnrollment.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OrleansEnrollment.Tests.Browser;

/// <summary>What a person does on the site, step by step through its forms, as the tests need it.</summary>
public static partial class SiteActions
{
    /// <summary>
    /// Registers through the form, opens the confirmation link that arrives by mail, and signs in: what a new person
    /// does before they can enroll. Ends signed in, on the events page.
    /// </summary>
    public static async Task RegisterThroughFormAsync(this IPage page, string email, string displayName, string password = WebAppFactory.Password)
    {
        var mailsBefore = TestMailServer.Shared.To(email).Count;
        await page.GotoAsync("/account/register");
        await page.GetByLabel("E-mail", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Display name", new() { Exact = true }).FillAsync(displayName);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Register", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("check-inbox")).ToBeVisibleAsync();

        var mail = await TestMailServer.Shared.WaitForMailAsync(email, mailsBefore + 1);
        await page.GotoAsync(TestMailServer.LinkIn(mail).PathAndQuery);
        await Expect(page.GetByTestId("confirmed")).ToBeVisibleAsync();
        await page.SignInThroughFormAsync(email, password);
        await Expect(page).ToHaveURLAsync(EventsPath());
    }

    /// <summary>Signs in from the sign-in page (wherever the page is now) and waits to be sent on.</summary>
    public static async Task SignInThroughFormAsync(this IPage page, string email, string password = WebAppFactory.Password)
    {
        if (!page.Url.Contains("/account/signin", StringComparison.Ordinal))
        {
            await page.GotoAsync("/account/signin");
        }

        await page.GetByLabel("E-mail", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page).Not.ToHaveURLAsync(SignInPath());
    }

    /// <summary>Opens the event's page, presses Enroll and returns the status message the page then shows.</summary>
    public static async Task<ILocator> EnrollThroughPageAsync(this IPage page, Guid eventId)
    {
        await page.GotoAsync($"/app/events/{eventId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Enroll", Exact = true }).ClickAsync();
        var status = page.GetByTestId("enrollment-status");
        await Expect(status).ToBeVisibleAsync();
        return status;
    }

    /// <summary>Presses "Cancel my enrollment" on the event's page and returns the status message the page then shows.</summary>
    public static async Task<ILocator> CancelThroughPageAsync(this IPage page, Guid eventId)
    {
        await page.GotoAsync($"/app/events/{eventId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel my enrollment", Exact = true }).ClickAsync();
        var status = page.GetByTestId("enrollment-status");
        await Expect(status).ToHaveTextAsync("Your enrollment was cancelled");
        return status;
    }

    /// <summary>The admin roster's row for one person.</summary>
    public static ILocator RosterRow(this IPage page, string displayName) =>
        page.GetByTestId("roster").Locator("tbody tr").Filter(new() { Has = page.GetByTestId("roster-user").GetByText(displayName, new() { Exact = true }) });

    /// <summary>Types an optional reason into a roster row's action form and presses its button.</summary>
    public static async Task ActOnRowAsync(this ILocator row, string action, string? reason = null)
    {
        if (reason is not null)
        {
            await row.GetByTestId($"reason-{action}").FillAsync(reason);
        }

        await row.GetByTestId($"action-{action}").ClickAsync();
    }

    /// <summary>Reloads until <paramref name="condition"/> holds: for pages fed by a read model that catches up shortly after a commit.</summary>
    public static async Task ReloadUntilAsync(this IPage page, Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within 15 s: {what}");
            }

            await Task.Delay(200);
            await page.ReloadAsync();
        }
    }

    /// <summary>Moves the keyboard focus with Tab alone, from the top of the page, until it reaches <paramref name="target"/>.</summary>
    public static async Task TabToAsync(this IPage page, ILocator target, int maxTabs = 80)
    {
        await page.EvaluateAsync("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }");
        for (var tabs = 0; tabs < maxTabs; tabs++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await target.EvaluateAsync<bool>("element => element === document.activeElement"))
            {
                return;
            }
        }

        Assert.Fail($"{maxTabs} presses of Tab never reached the control");
    }

    /// <summary>Tabs to a button and presses Enter, as someone without a mouse would.</summary>
    public static async Task PressOnAsync(this IPage page, ILocator button)
    {
        await page.TabToAsync(button);
        await page.Keyboard.PressAsync("Enter");
    }

    /// <summary>
    /// Waits until the page's live connection watches its events (so the cluster tells it of every later change), and
    /// marks the document, so that <see cref="AssertNotReloadedAsync"/> can tell an update in place from a reload.
    /// </summary>
    public static async Task WaitUntilLiveAsync(this IPage page)
    {
        await Expect(page.Locator("body[data-live=watching]")).ToHaveCountAsync(1);
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");
    }

    /// <summary>
    /// How long after the decision (its audit row's time: taken just before the commit) live.js last swapped a changed
    /// region into this page: the time from commit to screen, a little over. Both clocks are this machine's.
    /// </summary>
    public static async Task<TimeSpan> DecisionToScreenAsync(this IPage page, Npgsql.NpgsqlDataSource database, Guid eventId)
    {
        var onScreen = await page.EvaluateAsync<double>("() => Number(document.body.dataset.liveUpdatedAt)");
        await using var command = database.CreateCommand(
            "SELECT (extract(epoch FROM max(occurred_at)) * 1000)::float8 FROM enrollment_transitions WHERE event_id = $1");
        command.Parameters.Add(new Npgsql.NpgsqlParameter<Guid> { TypedValue = eventId });
        var decided = (double)(await command.ExecuteScalarAsync())!;
        return TimeSpan.FromMilliseconds(onScreen - decided);
    }

    public static async Task AssertNotReloadedAsync(this IPage page) =>
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page was reloaded, not updated in place");

    [GeneratedRegex("/app/events$")]
    public static partial Regex EventsPath();

    [GeneratedRegex("/account/signin")]
    public static partial Regex SignInPath();
}
