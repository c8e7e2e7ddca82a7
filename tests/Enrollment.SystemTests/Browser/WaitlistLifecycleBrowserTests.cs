using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrleansEnrollment.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OrleansEnrollment.Tests.Browser;

/// <summary>Cancelling, the waitlist moving up, and the admin's per-enrollment actions, all through the pages.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class WaitlistLifecycleBrowserTests(PostgresFixture database, ChromiumFixture chromium)
    : BrowserTest(database, chromium), IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task A_user_who_cancels_a_confirmed_seat_hands_it_to_the_person_waiting_and_may_enroll_again()
    {
        var workshop = await CreateEventAsync("Hands-on actor workshop", capacity: 1, hasWaitlist: true);
        var holder = await NewMemberAsync("Ada Lovelace");
        await Expect(await holder.EnrollThroughPageAsync(workshop.Id)).ToHaveTextAsync("You are confirmed");
        var waiting = await NewMemberAsync("Grace Hopper");
        await Expect(await waiting.EnrollThroughPageAsync(workshop.Id)).ToHaveTextAsync("You are on the waitlist (position 1)");
        await Expect(waiting.GetByTestId("waitlist-hint")).ToHaveTextAsync("Your place among the people still waiting; it moves up as others leave.");

        var status = await holder.CancelThroughPageAsync(workshop.Id);

        await Screenshots.SaveAsync(holder, "event-cancelled");
        await Expect(holder.GetByRole(AriaRole.Button, new() { Name = "Enroll", Exact = true })).ToBeVisibleAsync();
        await Expect(holder.GetByRole(AriaRole.Button, new() { Name = "Cancel my enrollment" })).ToHaveCountAsync(0);
        // The seat went to the head of the waitlist in the same commit, so there is nothing to wait for.
        await waiting.ReloadAsync();
        await Expect(waiting.GetByTestId("enrollment-status")).ToHaveTextAsync("You are confirmed");

        // Enrolling again is allowed, as a newcomer: the seat is taken now, so at the back of the line.
        await holder.GetByRole(AriaRole.Button, new() { Name = "Enroll", Exact = true }).ClickAsync();
        await Expect(status).ToHaveTextAsync("You are on the waitlist (position 1)");

        // The cancelled enrollment stays as history next to the new one.
        await holder.GotoAsync("/app/enrollments");
        await Expect(holder.GetByTestId("my-enrollments").Locator(".badge-cancelled")).ToHaveCountAsync(1);
        await Expect(holder.GetByTestId("my-enrollments").Locator(".badge-waitlisted")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task A_waiting_user_moves_up_when_the_person_ahead_cancels()
    {
        var workshop = await CreateEventAsync("Hands-on actor workshop", capacity: 1, hasWaitlist: true);
        await EnrollThroughApiAsync(workshop.Id, "Ada Lovelace");
        var ahead = await NewMemberAsync("Grace Hopper");
        await Expect(await ahead.EnrollThroughPageAsync(workshop.Id)).ToHaveTextAsync("You are on the waitlist (position 1)");
        var behind = await NewMemberAsync("Linus Torvalds");
        await Expect(await behind.EnrollThroughPageAsync(workshop.Id)).ToHaveTextAsync("You are on the waitlist (position 2)");

        await ahead.CancelThroughPageAsync(workshop.Id);

        await behind.ReloadAsync();
        await Expect(behind.GetByTestId("enrollment-status")).ToHaveTextAsync("You are on the waitlist (position 1)");
        await Expect(behind.GetByTestId("waitlist-hint")).ToBeVisibleAsync();
        await behind.GotoAsync("/app/enrollments");
        await Expect(behind.GetByTestId("my-position")).ToHaveTextAsync("1");
    }

    [Fact]
    public async Task The_admin_checks_someone_in_then_marks_them_attended_and_the_audit_trail_keeps_the_reasons()
    {
        var workshop = await CreateEventAsync("Hands-on actor workshop", capacity: 2, hasWaitlist: true);
        await EnrollThroughApiAsync(workshop.Id, "Ada Lovelace");
        await EnrollThroughApiAsync(workshop.Id, "Grace Hopper");
        var admin = await NewAdminAsync();

        await admin.GotoAsync($"/admin/events/{workshop.Id}?status=confirmed");
        var ada = admin.RosterRow("Ada Lovelace");
        await admin.ReloadUntilAsync(async () => await ada.CountAsync() == 1, "Ada in the roster");
        await Expect(ada.GetByTestId("action-check-in")).ToHaveTextAsync("Check in");
        await Expect(ada.GetByTestId("action-cancel")).ToHaveTextAsync("Cancel");
        await Expect(ada.GetByTestId("action-promote")).ToHaveCountAsync(0);

        await ada.ActOnRowAsync("check-in", reason: "Arrived at the front desk");

        await Expect(admin.GetByTestId("action-done")).ToHaveTextAsync("Ada Lovelace is checked in.");
        // Back on the same filter: Ada is no longer confirmed, so she leaves this view.
        await Expect(admin).ToHaveURLAsync(new Regex("status=confirmed&page=1#roster$"));
        await admin.ReloadUntilAsync(async () => await ada.CountAsync() == 0, "Ada gone from the confirmed view");
        await Expect(admin.RosterRow("Grace Hopper")).ToHaveCountAsync(1);

        await admin.GetByLabel("Status").SelectOptionAsync("checked_in");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Filter", Exact = true }).ClickAsync();
        await admin.ReloadUntilAsync(async () => await ada.Locator(".badge-checked_in").CountAsync() == 1, "Ada checked in");
        await Expect(ada.GetByTestId("action-check-in")).ToHaveCountAsync(0);
        await Expect(ada.GetByTestId("action-cancel")).ToHaveCountAsync(0);

        await ada.ActOnRowAsync("attend", reason: "Stayed for the whole workshop");

        await Expect(admin.GetByTestId("action-done")).ToHaveTextAsync("Ada Lovelace is marked attended.");
        await admin.GotoAsync($"/admin/events/{workshop.Id}");
        await admin.ReloadUntilAsync(async () => await ada.Locator(".badge-attended").CountAsync() == 1, "Ada attended");
        await Expect(ada.Locator("button")).ToHaveCountAsync(0);

        await ada.GetByTestId("audit-link").ClickAsync();
        var rows = admin.GetByTestId("audit-trail").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Nth(0).GetByTestId("audit-actor")).ToHaveTextAsync("Ada Lovelace");
        await Expect(rows.Nth(1)).ToContainTextAsync("checked_in");
        await Expect(rows.Nth(1).GetByTestId("audit-reason")).ToHaveTextAsync("Arrived at the front desk");
        await Expect(rows.Nth(1).GetByTestId("audit-actor")).ToHaveTextAsync("Test Admin");
        await Expect(rows.Nth(2)).ToContainTextAsync("attended");
        await Expect(rows.Nth(2).GetByTestId("audit-reason")).ToHaveTextAsync("Stayed for the whole workshop");
        await Expect(rows.Nth(2).GetByTestId("audit-actor")).ToHaveTextAsync("Test Admin");
    }

    [Fact]
    public async Task Promoting_on_a_full_event_says_it_adds_a_seat_needs_a_reason_and_seats_that_person()
    {
        var workshop = await CreateEventAsync("Hands-on actor workshop", capacity: 2, hasWaitlist: true);
        await EnrollThroughApiAsync(workshop.Id, "Ada Lovelace");
        await EnrollThroughApiAsync(workshop.Id, "Barbara Liskov");
        await EnrollThroughApiAsync(workshop.Id, "Grace Hopper");
        await EnrollThroughApiAsync(workshop.Id, "Linus Torvalds");
        var admin = await NewAdminAsync();

        await admin.GotoAsync($"/admin/events/{workshop.Id}");
        await admin.ReloadUntilAsync(async () => await admin.GetByTestId("roster").Locator("tbody tr").CountAsync() == 4, "four people in the roster");
        var grace = admin.RosterRow("Grace Hopper");
        var linus = admin.RosterRow("Linus Torvalds");
        await Expect(grace.GetByTestId("roster-position")).ToHaveTextAsync("1");
        await Expect(linus.GetByTestId("roster-position")).ToHaveTextAsync("2");
        await Expect(admin.GetByTestId("roster-rank-hint")).ToContainTextAsync("the place among the people still waiting");
        await Expect(grace.GetByTestId("action-promote")).ToBeVisibleAsync();
        await Expect(grace.GetByTestId("action-cancel")).ToBeVisibleAsync();
        // said before the click: what Promote does to a full event, and that it needs a reason
        await Expect(admin.GetByTestId("promote-hint")).ToContainTextAsync("its capacity goes from 2 to 3");
        await Expect(grace.GetByTestId("reason-promote")).ToHaveAttributeAsync("placeholder", "Reason (required)");
        await Screenshots.SaveAsync(admin, "admin-roster-actions", fullPage: true);

        await grace.ActOnRowAsync("promote", reason: "Speaker's guest");

        // The roster is a read model fed by the event's stream: the promotion shows up shortly after the commit.
        await Expect(admin.GetByTestId("action-done")).ToContainTextAsync("Grace Hopper is promoted to confirmed.");
        await admin.ReloadUntilAsync(async () => await grace.Locator(".badge-confirmed").CountAsync() == 1, "Grace promoted to confirmed");
        await Expect(grace.GetByTestId("action-check-in")).ToBeVisibleAsync();
        await Expect(linus.Locator(".badge-waitlisted")).ToHaveCountAsync(1);
        await Expect(linus.GetByTestId("roster-position")).ToHaveTextAsync("1");
        await Expect(admin.GetByTestId("counts")).ToContainTextAsync("3"); // the capacity

        await grace.GetByTestId("audit-link").ClickAsync();
        var promotion = admin.GetByTestId("audit-trail").Locator("tbody tr").Last;
        await Expect(promotion).ToContainTextAsync("confirmed");
        await Expect(promotion.GetByTestId("audit-reason")).ToHaveTextAsync("promoted by an admin; capacity raised from 2 to 3: Speaker's guest");
        await Expect(promotion.GetByTestId("audit-actor")).ToHaveTextAsync("Test Admin");
    }
}
