using Microsoft.Playwright;
using OrleansEnrollment.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OrleansEnrollment.Tests.Browser;

/// <summary>The person's side of notifications: the calendar file of a seat, and turning e-mail off.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class NotificationsInTheBrowserTests(PostgresFixture database, ChromiumFixture chromium)
    : BrowserTest(database, chromium), IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task A_person_with_a_seat_downloads_its_calendar_invitation()
    {
        var meetup = await CreateEventAsync("Calendar meetup", capacity: 5, hasWaitlist: false);
        var member = await NewMemberAsync("Katherine Johnson");
        await Expect(await member.EnrollThroughPageAsync(meetup.Id)).ToHaveTextAsync("You are confirmed");

        var download = await member.RunAndWaitForDownloadAsync(() => member.GetByTestId("calendar-link").ClickAsync());

        Assert.Equal("event.ics", download.SuggestedFilename);
        var calendar = Ical.Net.Calendar.Load(await File.ReadAllTextAsync((await download.PathAsync())!))!;
        Assert.Equal("Calendar meetup", Assert.Single(calendar.Events).Summary);
    }

    [Fact]
    public async Task A_person_turns_email_notifications_off_and_on_again_on_their_account_page()
    {
        var member = await NewMemberAsync("Mary Jackson");
        await member.GotoAsync("/app/account");
        var box = member.GetByLabel("E-mail me when my enrollment changes");
        await Expect(box).ToBeCheckedAsync();

        await box.UncheckAsync();
        await member.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();

        await Expect(member.GetByTestId("preferences-saved")).ToHaveTextAsync("E-mail notifications are off. They stay on this site's Notifications page.");
        await member.GotoAsync("/app/account");
        await Expect(box).Not.ToBeCheckedAsync();
        await Screenshots.SaveAsync(member, "account-notifications", fullPage: true);

        await box.CheckAsync();
        await member.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(member.GetByTestId("preferences-saved")).ToHaveTextAsync("E-mail notifications are on.");
    }
}
