using System.Diagnostics;
using Microsoft.Playwright;
using OrleansEnrollment.Tests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansEnrollment.Tests.Browser;

/// <summary>
/// Pages that change while someone looks at them: the commit's domain event reaches the event's roster grain through
/// its stream, the roster tells the frontend watching it, the frontend tells the browsers in the event's SignalR group,
/// and each browser fetches its own view again and swaps in what changed. No test here reloads a page.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class LiveUpdatesInTheBrowserTests(PostgresFixture database, ChromiumFixture chromium, ITestOutputHelper output)
    : BrowserTest(database, chromium), IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task A_waiting_person_sees_their_position_move_from_2_to_1_when_the_person_ahead_cancels_elsewhere()
    {
        var workshop = await CreateEventAsync("Live waitlist workshop", capacity: 1, hasWaitlist: true);
        await EnrollThroughApiAsync(workshop.Id, "Ada Lovelace");
        var ahead = await NewMemberAsync("Grace Hopper");
        await Expect(await ahead.EnrollThroughPageAsync(workshop.Id)).ToHaveTextAsync("You are on the waitlist (position 1)");
        var behind = await NewMemberAsync("Linus Torvalds");
        var status = await behind.EnrollThroughPageAsync(workshop.Id);
        await Expect(status).ToHaveTextAsync("You are on the waitlist (position 2)");
        // The same person also has their list of enrollments open in a second tab.
        var list = await behind.Context.NewPageAsync();
        await list.GotoAsync("/app/enrollments");
        await Expect(list.GetByTestId("my-position")).ToHaveTextAsync("2");
        await behind.WaitUntilLiveAsync();
        await list.WaitUntilLiveAsync();

        await ahead.GotoAsync($"/app/events/{workshop.Id}");
        var clock = Stopwatch.StartNew();
        await ahead.GetByRole(AriaRole.Button, new() { Name = "Cancel my enrollment", Exact = true }).ClickAsync();
        await Expect(ahead.GetByTestId("enrollment-status")).ToHaveTextAsync("Your enrollment was cancelled");
        var committed = clock.Elapsed;

        await Expect(status).ToHaveTextAsync("You are on the waitlist (position 1)");
        var onScreen = clock.Elapsed;
        await Expect(list.GetByTestId("my-position")).ToHaveTextAsync("1");
        await behind.AssertNotReloadedAsync();
        await list.AssertNotReloadedAsync();
        var decisionToScreen = await behind.DecisionToScreenAsync(Database.DataSource, workshop.Id);
        output.WriteLine($"cancel answered after {committed.TotalMilliseconds:0} ms; position 1 on the other person's screen " +
            $"{(onScreen - committed).TotalMilliseconds:0} ms after the answer, {decisionToScreen.TotalMilliseconds:0} ms after the decision");
        await Screenshots.SaveAsync(behind, "event-live-position");
    }

    [Fact]
    public async Task An_admin_roster_shows_new_people_and_status_changes_as_they_happen()
    {
        var meetup = await CreateEventAsync("Live roster meetup", capacity: 1, hasWaitlist: true);
        var admin = await NewAdminAsync();
        await admin.GotoAsync($"/admin/events/{meetup.Id}");
        await Expect(admin.GetByTestId("roster-empty")).ToBeVisibleAsync();
        await admin.WaitUntilLiveAsync();

        await EnrollThroughApiAsync(meetup.Id, "Barbara Liskov");
        await Expect(admin.RosterRow("Barbara Liskov").Locator(".badge-confirmed")).ToHaveCountAsync(1);
        await Expect(admin.GetByTestId("active-count")).ToHaveTextAsync("1");

        var waiting = await NewMemberAsync("Edsger Dijkstra");
        await waiting.EnrollThroughPageAsync(meetup.Id);
        await Expect(admin.RosterRow("Edsger Dijkstra").Locator(".badge-waitlisted")).ToHaveCountAsync(1);
        await Expect(admin.GetByTestId("waitlist-count")).ToHaveTextAsync("1");

        await waiting.CancelThroughPageAsync(meetup.Id);
        await Expect(admin.RosterRow("Edsger Dijkstra").Locator(".badge-cancelled")).ToHaveCountAsync(1);
        await Expect(admin.GetByTestId("waitlist-count")).ToHaveTextAsync("0");
        await admin.AssertNotReloadedAsync();
    }

    [Fact]
    public async Task A_reason_being_typed_in_the_roster_is_not_wiped_by_an_update()
    {
        var meetup = await CreateEventAsync("Live roster with a reason", capacity: 5, hasWaitlist: false);
        await EnrollThroughApiAsync(meetup.Id, "Alan Turing");
        var admin = await NewAdminAsync();
        await admin.GotoAsync($"/admin/events/{meetup.Id}");
        await admin.ReloadUntilAsync(async () => await admin.RosterRow("Alan Turing").CountAsync() == 1, "Alan in the roster");
        await admin.WaitUntilLiveAsync();
        var reason = admin.RosterRow("Alan Turing").GetByTestId("reason-check-in");
        await reason.FillAsync("At the door");

        await EnrollThroughApiAsync(meetup.Id, "Donald Knuth");
        await Expect(admin.GetByTestId("active-count")).ToHaveTextAsync("2"); // outside the row being typed in: updated
        await Expect(admin.Locator("#roster-entries[data-live-held-back=true]")).ToHaveCountAsync(1);
        await Expect(reason).ToHaveValueAsync("At the door");

        // Sending the form is the admin's own action; the page that answers is current.
        await admin.RosterRow("Alan Turing").GetByTestId("action-check-in").ClickAsync();
        await Expect(admin.GetByTestId("action-done")).ToHaveTextAsync("Alan Turing is checked in.");
        await Expect(admin.RosterRow("Donald Knuth")).ToHaveCountAsync(1);
    }
}
