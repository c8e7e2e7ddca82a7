using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansEnrollment.Tests.Browser;

/// <summary>
/// Every page, in the states people meet it in, checked by axe (WCAG 2.x A and AA rules): no serious or critical
/// violation. And the main actions done with the keyboard alone: Tab to the control, press Enter or Space.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class AccessibilityTests(PostgresFixture database, ChromiumFixture chromium, ITestOutputHelper output)
    : BrowserTest(database, chromium), IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task Every_page_passes_axe_with_no_serious_or_critical_violation()
    {
        var open = await CreateEventAsync("Accessible meetup", capacity: 1, hasWaitlist: true);
        var offers = await CreateEventAsync(
            "Accessible offers", new EnrollmentPolicy(1, true) { Promotion = PromotionMode.Offer, ClaimWindow = TimeSpan.FromHours(2) });
        var (holder, _) = await App.SignedInClientAsync(displayName: "Ada Lovelace");
        (await holder.PostAsync($"/api/events/{offers.Id}/enrollments", null)).EnsureSuccessStatusCode();
        await EnrollThroughApiAsync(open.Id, "Barbara Liskov");

        var visitor = await NewVisitorAsync();
        var checkedPages = new List<string>();
        foreach (var path in new[] { "/", "/account/signin", "/account/register", "/account/forgot", "/account/confirm/resend", "/no-such-page" })
        {
            await AssertAccessibleAsync(visitor, path, checkedPages);
        }

        var member = await NewMemberAsync("Grace Hopper");
        await AssertAccessibleAsync(member, "/app/events", checkedPages);
        await AssertAccessibleAsync(member, $"/app/events/{open.Id}", checkedPages, "full, can join the waitlist");
        await member.EnrollThroughPageAsync(open.Id);
        await AssertAccessibleAsync(member, $"/app/events/{open.Id}", checkedPages, "waitlisted");
        await member.EnrollThroughPageAsync(offers.Id);
        (await holder.DeleteAsync($"/api/events/{offers.Id}/enrollments/me")).EnsureSuccessStatusCode();
        await AssertAccessibleAsync(member, $"/app/events/{offers.Id}", checkedPages, "a seat held for them");
        await AssertAccessibleAsync(member, "/app/enrollments", checkedPages);
        await AssertAccessibleAsync(member, "/app/notifications", checkedPages);
        await AssertAccessibleAsync(member, "/app/account", checkedPages);

        var admin = await NewAdminAsync();
        await AssertAccessibleAsync(admin, "/admin", checkedPages);
        await AssertAccessibleAsync(admin, "/admin/events/new", checkedPages);
        await admin.GotoAsync($"/admin/events/{open.Id}");
        await admin.ReloadUntilAsync(async () => await admin.RosterRow("Grace Hopper").CountAsync() == 1, "Grace in the roster");
        await AssertAccessibleAsync(admin, $"/admin/events/{open.Id}", checkedPages, "with a roster");
        var auditLink = await admin.RosterRow("Grace Hopper").GetByTestId("audit-link").GetAttributeAsync("href");
        await AssertAccessibleAsync(admin, auditLink!, checkedPages);
        await AssertAccessibleAsync(admin, "/admin/admins", checkedPages);
        await AssertAccessibleAsync(admin, $"/admin/events/{open.Id}/check-in-list", checkedPages);

        output.WriteLine($"axe found no serious or critical violation on: {string.Join(", ", checkedPages)}");
    }

    [Fact]
    public async Task Enrolling_cancelling_and_answering_an_offer_work_with_the_keyboard_alone()
    {
        var meetup = await CreateEventAsync("Keyboard meetup", capacity: 5, hasWaitlist: false);
        var member = await NewMemberAsync("Alan Turing");
        await member.GotoAsync($"/app/events/{meetup.Id}");

        await member.PressOnAsync(member.GetByTestId("enroll"));
        await Expect(member.GetByTestId("enrollment-status")).ToHaveTextAsync("You are confirmed");
        await member.PressOnAsync(member.GetByTestId("cancel-enrollment"));
        await Expect(member.GetByTestId("enrollment-status")).ToHaveTextAsync("Your enrollment was cancelled");

        var offers = await CreateEventAsync(
            "Keyboard offers", new EnrollmentPolicy(1, true) { Promotion = PromotionMode.Offer, ClaimWindow = TimeSpan.FromHours(2) });
        var (holder, _) = await App.SignedInClientAsync(displayName: "Ada Lovelace");
        (await holder.PostAsync($"/api/events/{offers.Id}/enrollments", null)).EnsureSuccessStatusCode();
        await member.GotoAsync($"/app/events/{offers.Id}");
        await member.PressOnAsync(member.GetByTestId("enroll"));
        await Expect(member.GetByTestId("enrollment-status")).ToHaveTextAsync("You are on the waitlist (position 1)");
        (await holder.DeleteAsync($"/api/events/{offers.Id}/enrollments/me")).EnsureSuccessStatusCode();
        await member.ReloadAsync();
        await member.PressOnAsync(member.GetByTestId("accept-offer"));
        await Expect(member.GetByTestId("enrollment-status")).ToHaveTextAsync("You are confirmed");
    }

    [Fact]
    public async Task An_admin_checks_someone_in_from_the_roster_with_the_keyboard_alone()
    {
        var meetup = await CreateEventAsync("Keyboard roster", capacity: 5, hasWaitlist: false);
        await EnrollThroughApiAsync(meetup.Id, "Frances Allen");
        var admin = await NewAdminAsync();
        await admin.GotoAsync($"/admin/events/{meetup.Id}");
        await admin.ReloadUntilAsync(async () => await admin.RosterRow("Frances Allen").CountAsync() == 1, "Frances in the roster");
        var row = admin.RosterRow("Frances Allen");

        await admin.TabToAsync(row.GetByTestId("reason-check-in"));
        await admin.Keyboard.TypeAsync("At the door");
        await admin.Keyboard.PressAsync("Tab"); // the form's own button comes next
        Assert.True(await row.GetByTestId("action-check-in").EvaluateAsync<bool>("element => element === document.activeElement"));
        await admin.Keyboard.PressAsync("Enter");

        await Expect(admin.GetByTestId("action-done")).ToHaveTextAsync("Frances Allen is checked in.");
    }

    private async Task AssertAccessibleAsync(IPage page, string path, List<string> checkedPages, string? state = null)
    {
        var response = await page.GotoAsync(path);
        Assert.True(response!.Status == 200 || path == "/no-such-page", $"{path} answered {response.Status}");
        var results = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
        });
        var blocking = results.Violations.Where(violation => violation.Impact is "serious" or "critical").ToList();
        Assert.True(blocking.Count == 0, $"{path}{(state is null ? "" : $" ({state})")}: " + string.Join("; ", blocking.Select(violation =>
            $"{violation.Id} ({violation.Impact}): {violation.Help} at {string.Join(", ", violation.Nodes.Select(node => node.Html))}")));
        checkedPages.Add(state is null ? path : $"{path} ({state})");
        // What axe checked, and what it found below serious, so a reader of the test output sees it ran.
        output.WriteLine($"{path}{(state is null ? "" : $" ({state})")}: {results.Passes.Length} rules passed; minor or moderate: " +
            (results.Violations.Length == 0 ? "none" : string.Join(", ", results.Violations.Select(violation => $"{violation.Id} ({violation.Impact})"))));
    }
}
