using Microsoft.Playwright;
using OrleansEnrollment.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OrleansEnrollment.Tests.Browser;

[Collection(DatabaseCollection.Name)]
public sealed class AccessInTheBrowserTests(PostgresFixture database, ChromiumFixture chromium)
    : BrowserTest(database, chromium), IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task A_non_admin_gets_the_denied_page_with_a_403_and_a_visitor_is_sent_to_sign_in()
    {
        var member = await NewVisitorAsync();
        var email = NewEmail();
        await member.RegisterThroughFormAsync(email, "Ken Thompson");

        var denied = await member.GotoAsync("/admin");
        Assert.Equal(403, denied!.Status);
        await Expect(member).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/denied"));
        await Expect(member.GetByTestId("denied")).ToHaveTextAsync("You do not have access to this page");

        var visitor = await NewVisitorAsync();
        await visitor.GotoAsync("/app/events");
        await Expect(visitor).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/signin\\?ReturnUrl=%2Fapp%2Fevents$"));
        await Expect(visitor.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();

        // Signing in from there goes back where the visitor was headed.
        await visitor.SignInThroughFormAsync(email);
        await Expect(visitor).ToHaveURLAsync(SiteActions.EventsPath());
    }

    [Fact]
    public async Task An_unknown_address_shows_a_status_page_with_a_way_back()
    {
        var visitor = await NewVisitorAsync();

        var missing = await visitor.GotoAsync("/app/no-such-page");
        Assert.Equal(404, missing!.Status);
        await Expect(visitor).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/app/no-such-page$"));
        await Expect(visitor.GetByTestId("status-heading")).ToHaveTextAsync("Page not found");
        await visitor.GetByRole(AriaRole.Link, new() { Name = "Back to the events" }).ClickAsync();
        await Expect(visitor).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/$"));
    }

    [Fact]
    public async Task The_account_forms_explain_what_is_wrong()
    {
        var page = await NewVisitorAsync();
        await page.GotoAsync("/account/register");
        await page.GetByLabel("E-mail", new() { Exact = true }).FillAsync("not an address");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register", Exact = true }).ClickAsync();
        await Expect(page.Locator("#email-error")).ToContainTextAsync("Enter a valid e-mail address");
        await Expect(page.Locator("#password-error")).ToContainTextAsync("A password has 8 to 128 characters.");
        await Expect(page.Locator("#displayname-error")).ToContainTextAsync("A display name has 1 to");

        var email = NewEmail();
        var other = await NewVisitorAsync();
        await other.RegisterThroughFormAsync(email, "Dennis Ritchie");
        await page.GetByLabel("E-mail", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Display name", new() { Exact = true }).FillAsync("Someone Else");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(WebAppFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Register", Exact = true }).ClickAsync();
        // a taken address is answered as any other: the page does not tell who has an account, the owner gets a mail
        await Expect(page.GetByTestId("check-inbox")).ToBeVisibleAsync();
        Assert.Equal("Someone tried to register with your address", (await TestMailServer.Shared.WaitForMailAsync(email, count: 2)).Subject);

        await page.GotoAsync("/account/signin");
        await page.GetByLabel("E-mail", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("form-error")).ToHaveTextAsync("E-mail or password is not right");

        // A sign-in link must not bounce a fresh session to another site.
        await page.GotoAsync("/account/signin?ReturnUrl=https%3A%2F%2Fevil.example%2F");
        await page.SignInThroughFormAsync(email);
        await Expect(page).ToHaveURLAsync(SiteActions.EventsPath());
        await Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync("Dennis Ritchie");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("signed-in-as")).ToHaveCountAsync(0);
        await page.GotoAsync("/app/enrollments");
        await Expect(page).ToHaveURLAsync(SiteActions.SignInPath());
    }
}
