using Microsoft.Playwright;
using OrleansEnrollment.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OrleansEnrollment.Tests.Browser;

[Collection(DatabaseCollection.Name)]
public sealed class AdminInTheBrowserTests(PostgresFixture database, ChromiumFixture chromium)
    : BrowserTest(database, chromium), IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task The_admin_filters_an_events_roster_to_the_waitlist_and_sees_it_in_position_order()
    {
        var workshop = await CreateEventAsync("Hands-on actor workshop", capacity: 1, hasWaitlist: true, daysAhead: 2);
        await EnrollThroughApiAsync(workshop.Id, "Ada Lovelace");
        await EnrollThroughApiAsync(workshop.Id, "Grace Hopper");
        await EnrollThroughApiAsync(workshop.Id, "Linus Torvalds");
        await EnrollThroughApiAsync(workshop.Id, "Barbara Liskov");
        (await App.SignedInAdminAsync()).Client.Dispose(); // makes sure the admin account exists

        var page = await NewVisitorAsync();
        await page.SignInThroughFormAsync(WebAppFactory.AdminEmail);
        await page.GetByRole(AriaRole.Link, new() { Name = "Admin", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("admin-events")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "admin-events");

        await page.Locator($"tr[data-event-id='{workshop.Id}']").GetByRole(AriaRole.Link, new() { Name = "Manage" }).ClickAsync();
        await Expect(page.GetByTestId("policy-warning")).ToContainTextAsync("Lowering the capacity below the number of active enrollments removes nobody");
        await page.GetByLabel("Status").SelectOptionAsync("waitlisted");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("status=waitlisted"));

        var roster = page.GetByTestId("roster");
        // The roster is a read model fed by the event's stream; it may be a moment behind the commits.
        await page.ReloadUntilAsync(async () => await roster.CountAsync() == 1 && await page.GetByTestId("roster-position").CountAsync() == 3,
            "three waiting people in the roster");
        await Expect(roster.GetByRole(AriaRole.Columnheader, new() { Name = "Waitlist position", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("roster-position")).ToHaveTextAsync(["1", "2", "3"]);
        await Expect(page.GetByTestId("roster-user")).ToHaveTextAsync(["Grace Hopper", "Linus Torvalds", "Barbara Liskov"]);
        await Expect(roster.Locator(".badge.badge-waitlisted")).ToHaveCountAsync(3);
        await Expect(page.GetByTestId("page-info")).ToHaveTextAsync("Page 1 of 1");
        await Screenshots.SaveAsync(page, "admin-roster-waitlisted", fullPage: true);

        await page.GetByTestId("audit-link").First.ClickAsync();
        var trail = page.GetByTestId("audit-trail");
        await Expect(trail).ToBeVisibleAsync();
        await Expect(trail.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(trail.Locator("tbody tr").First).ToContainTextAsync("waitlisted");
        await Expect(trail.Locator("tbody tr").First).ToContainTextAsync("Grace Hopper");
        await Screenshots.SaveAsync(page, "audit-trail");
    }

    [Fact]
    public async Task The_admin_creates_an_event_and_changes_its_policy_through_the_forms()
    {
        (await App.SignedInAdminAsync()).Client.Dispose();
        var page = await NewVisitorAsync();
        await page.SignInThroughFormAsync(WebAppFactory.AdminEmail);
        await page.GotoAsync("/admin");
        await page.GetByTestId("create-event").ClickAsync();

        await page.GetByLabel("Capacity").FillAsync("-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create event" }).ClickAsync();
        await Expect(page.Locator("#title-error")).ToContainTextAsync("A title has 1 to");
        await Expect(page.Locator("#capacity-error")).ToContainTextAsync("Capacity must be zero or more");

        var title = $"Grain design clinic {Guid.NewGuid():N}"[..28];
        await page.GetByLabel("Title").FillAsync(title);
        await page.GetByLabel("Starts at (local time)").FillAsync("2031-05-04T09:30"); // the time zone is left at UTC
        await page.GetByLabel("Capacity").FillAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create event" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(title);
        await Expect(page.GetByTestId("counts")).ToContainTextAsync("Sun 4 May 2031, 09:30 (UTC)");
        await Expect(page.GetByTestId("roster-empty")).ToBeVisibleAsync();

        await page.GetByLabel("Capacity").FillAsync("");
        await page.GetByLabel("Keep a waitlist when the event is full").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save policy" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The policy is saved.");
        await Expect(page.GetByTestId("counts")).ToContainTextAsync("Unlimited");
    }
}
