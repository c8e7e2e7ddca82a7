using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OrleansEnrollment.Tests.Browser;

/// <summary>Held seats through the pages: the admin turns offers on, the person at the head of the queue accepts or declines.</summary>
[Collection(DatabaseCollection.Name)]
public sealed partial class OffersInTheBrowserTests(PostgresFixture database, ChromiumFixture chromium)
    : BrowserTest(database, chromium), IClassFixture<ChromiumFixture>
{
    /// <summary>A one-seat event in offer mode (set through the admin's policy form), its seat taken, Grace and then Linus waiting.</summary>
    private async Task<(Guid EventId, IPage Admin, IPage Holder, IPage Grace)> FullEventWithOffersAsync()
    {
        var workshop = await CreateEventAsync("Hands-on actor workshop", capacity: 1, hasWaitlist: true);
        var admin = await NewAdminAsync();
        await admin.GotoAsync($"/admin/events/{workshop.Id}");
        await admin.GetByLabel("Hold the seat for the next person, who accepts or declines it").CheckAsync();
        await admin.GetByLabel("Hours an offer holds its seat").FillAsync("12");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save policy" }).ClickAsync();
        await Expect(admin.GetByTestId("policy-saved")).ToHaveTextAsync("The policy is saved.");

        var holder = await NewMemberAsync("Ada Lovelace");
        await Expect(await holder.EnrollThroughPageAsync(workshop.Id)).ToHaveTextAsync("You are confirmed");
        var grace = await NewMemberAsync("Grace Hopper");
        await Expect(await grace.EnrollThroughPageAsync(workshop.Id)).ToHaveTextAsync("You are on the waitlist (position 1)");
        await Expect(grace.GetByTestId("promotion")).ToHaveTextAsync("Offered to the next person for 12 hours");
        await EnrollThroughApiAsync(workshop.Id, "Linus Torvalds");
        return (workshop.Id, admin, holder, grace);
    }

    [Fact]
    public async Task The_person_at_the_head_sees_the_held_seat_with_its_deadline_and_accepts_it()
    {
        var (eventId, admin, holder, grace) = await FullEventWithOffersAsync();

        await holder.CancelThroughPageAsync(eventId);
        await grace.ReloadAsync();

        await Expect(grace.GetByTestId("enrollment-status")).ToHaveTextAsync(HeldUntil());
        await Expect(grace.GetByTestId("offer")).ToContainTextAsync("or it goes to the next person waiting");
        await Expect(grace.GetByTestId("offer-deadline")).ToHaveTextAsync(UtcTime());
        await Expect(grace.GetByRole(AriaRole.Button, new() { Name = "Cancel my enrollment" })).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(grace, "event-offer");

        // the roster shows the offer and its deadline, and filters by it
        await admin.GotoAsync($"/admin/events/{eventId}?status=offered");
        await admin.ReloadUntilAsync(async () => await admin.RosterRow("Grace Hopper").CountAsync() == 1, "Grace's offer in the roster");
        await Expect(admin.RosterRow("Grace Hopper").Locator(".badge-offered")).ToHaveCountAsync(1);
        await Expect(admin.RosterRow("Grace Hopper").GetByTestId("roster-offer-deadline")).ToContainTextAsync("until");
        await Screenshots.SaveAsync(admin, "admin-roster-offered", fullPage: true);

        await grace.GetByTestId("accept-offer").ClickAsync();

        await Expect(grace.GetByTestId("enrollment-status")).ToHaveTextAsync("You are confirmed");
        await Expect(grace.GetByTestId("offer")).ToHaveCountAsync(0);
        await grace.GotoAsync("/app/notifications");
        await Expect(grace.GetByText(new Regex("^A seat in Hands-on actor workshop is held for you until"))).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Declining_hands_the_held_seat_to_the_next_person()
    {
        var (eventId, admin, holder, grace) = await FullEventWithOffersAsync();
        await holder.CancelThroughPageAsync(eventId);
        await grace.ReloadAsync();

        await grace.GetByTestId("decline-offer").ClickAsync();

        await Expect(grace.GetByTestId("enrollment-status")).ToHaveTextAsync("Your enrollment was cancelled");
        await admin.GotoAsync($"/admin/events/{eventId}");
        await admin.ReloadUntilAsync(async () => await admin.RosterRow("Linus Torvalds").Locator(".badge-offered").CountAsync() == 1, "Linus holds the offer");
        await Expect(admin.RosterRow("Grace Hopper").Locator(".badge-cancelled")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task An_event_whose_enrollment_closed_says_so_and_offers_no_enroll_button()
    {
        var evt = await CreateEventAsync("Closed meetup", capacity: 10, hasWaitlist: true);
        var admin = await NewAdminAsync();
        await admin.GotoAsync($"/admin/events/{evt.Id}");
        await admin.GetByLabel("Enrollment closes (UTC)").FillAsync(DateTime.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save policy" }).ClickAsync();
        await Expect(admin.GetByTestId("policy-saved")).ToHaveTextAsync("The policy is saved.");

        var member = await NewMemberAsync("Barbara Liskov");
        await member.GotoAsync($"/app/events/{evt.Id}");

        await Expect(member.GetByTestId("enrollment-closed")).ToHaveTextAsync(EnrollmentResult.ClosedTitle);
        await Expect(member.GetByRole(AriaRole.Button, new() { Name = "Enroll", Exact = true })).ToHaveCountAsync(0);
    }

    [GeneratedRegex(@"^A seat is held for you until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$")]
    private static partial Regex HeldUntil();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$")]
    private static partial Regex UtcTime();
}
