using Microsoft.Playwright;
using OrleansEnrollment.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OrleansEnrollment.Tests.Browser;

[Collection(DatabaseCollection.Name)]
public sealed class EnrollingInTheBrowserTests(PostgresFixture database, ChromiumFixture chromium)
    : BrowserTest(database, chromium), IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task A_new_user_registers_enrolls_in_an_event_with_seats_and_is_confirmed()
    {
        var meetup = await CreateEventAsync("Orleans community meetup", capacity: null, hasWaitlist: false, daysAhead: 1);
        var workshop = await CreateEventAsync("Hands-on actor workshop", capacity: 2, hasWaitlist: true, daysAhead: 2);
        var dinner = await CreateEventAsync("Speakers' dinner", capacity: 1, hasWaitlist: false, daysAhead: 3);
        await EnrollThroughApiAsync(workshop.Id, "Ada Lovelace");
        await EnrollThroughApiAsync(workshop.Id, "Grace Hopper");
        await EnrollThroughApiAsync(workshop.Id, "Linus Torvalds");
        await EnrollThroughApiAsync(dinner.Id, "Barbara Liskov");

        var page = await NewVisitorAsync();
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true }).First).ToBeVisibleAsync();
        var workshopRow = page.Locator($"tr[data-event-id='{workshop.Id}']");
        await Expect(workshopRow).ToContainTextAsync("Full – waitlist open");
        await Expect(page.Locator($"tr[data-event-id='{dinner.Id}']")).ToContainTextAsync("Event is full");
        await Expect(page.Locator($"tr[data-event-id='{meetup.Id}']")).ToContainTextAsync("Unlimited");

        await page.RegisterThroughFormAsync(NewEmail(), "Margaret Hamilton");
        await Screenshots.SaveAsync(page, "events-list");

        await page.Locator($"tr[data-event-id='{meetup.Id}']").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.GetByTestId("event-title")).ToHaveTextAsync("Orleans community meetup");
        await page.GetByRole(AriaRole.Button, new() { Name = "Enroll", Exact = true }).ClickAsync();

        await Expect(page.GetByTestId("enrollment-status")).ToHaveTextAsync("You are confirmed");
        await Screenshots.SaveAsync(page, "event-confirmed");

        // Coming back shows the same enrollment and offers no second one.
        await page.ReloadAsync();
        await Expect(page.GetByTestId("enrollment-status")).ToHaveTextAsync("You are confirmed");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Enroll", Exact = true })).ToHaveCountAsync(0);

        await page.GotoAsync("/app/enrollments");
        await Expect(page.GetByTestId("my-enrollments")).ToContainTextAsync("Orleans community meetup");
        await Expect(page.GetByTestId("my-enrollments").Locator(".badge-confirmed")).ToHaveTextAsync("confirmed");
    }

    [Fact]
    public async Task People_who_find_the_seats_taken_join_the_waitlist_in_order()
    {
        var workshop = await CreateEventAsync("Hands-on actor workshop", capacity: 1, hasWaitlist: true);
        await EnrollThroughApiAsync(workshop.Id, "Ada Lovelace");

        var second = await NewVisitorAsync();
        await second.RegisterThroughFormAsync(NewEmail(), "Grace Hopper");
        var secondStatus = await second.EnrollThroughPageAsync(workshop.Id);
        await Expect(secondStatus).ToHaveTextAsync("You are on the waitlist (position 1)");

        var third = await NewVisitorAsync();
        await third.RegisterThroughFormAsync(NewEmail(), "Linus Torvalds");
        var thirdStatus = await third.EnrollThroughPageAsync(workshop.Id);
        await Expect(thirdStatus).ToHaveTextAsync("You are on the waitlist (position 2)");
        await Expect(third.GetByTestId("seats-left")).ToHaveTextAsync("0");
        await Screenshots.SaveAsync(third, "event-waitlisted");

        await second.ReloadAsync();
        await Expect(second.GetByTestId("enrollment-status")).ToHaveTextAsync("You are on the waitlist (position 1)");
    }

    [Fact]
    public async Task A_full_event_without_a_waitlist_says_so_and_offers_no_enroll_button()
    {
        var dinner = await CreateEventAsync("Speakers' dinner", capacity: 1, hasWaitlist: false);
        await EnrollThroughApiAsync(dinner.Id, "Barbara Liskov");

        var page = await NewVisitorAsync();
        await page.RegisterThroughFormAsync(NewEmail(), "Edsger Dijkstra");
        await page.GotoAsync($"/app/events/{dinner.Id}");

        await Expect(page.GetByTestId("event-full")).ToHaveTextAsync("Event is full");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Enroll" })).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("enrollment-status")).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(page, "event-full");
    }

    [Fact]
    public async Task An_unknown_event_is_not_found()
    {
        var page = await NewVisitorAsync();
        await page.RegisterThroughFormAsync(NewEmail(), "Alan Turing");

        var response = await page.GotoAsync($"/app/events/{Guid.NewGuid()}");

        Assert.Equal(404, response!.Status);
    }
}
