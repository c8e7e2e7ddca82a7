using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrleansEnrollment.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OrleansEnrollment.Tests.Browser;

[Collection(DatabaseCollection.Name)]
public sealed partial class EventDetailsInTheBrowserTests(PostgresFixture database, ChromiumFixture chromium)
    : BrowserTest(database, chromium), IClassFixture<ChromiumFixture>
{
    private readonly OrleansEnrollment.Catalog.EventCatalog catalog = database.Catalog;

    private const string Description = "Doors open at 17:30.\nBring your ticket.\n<script>document.title = 'pwned'</script>";

    [Fact]
    public async Task An_event_in_Paris_is_shown_in_Paris_time_its_roster_downloads_as_CSV_and_prints_as_a_check_in_list()
    {
        var admin = await NewAdminAsync();
        await admin.GotoAsync("/admin/events/new");
        var title = $"Winter concert {Guid.NewGuid():N}"[..24];
        await admin.GetByLabel("Title").FillAsync(title);
        await admin.GetByLabel("Time zone").FillAsync("Europe/Paris");
        await admin.GetByLabel("Starts at (local time)").FillAsync("2031-12-12T18:00");
        await admin.GetByLabel("Ends at (local time, optional)").FillAsync("2031-12-12T21:30");
        await admin.GetByLabel("Location").FillAsync("Salle Pleyel, 252 rue du Faubourg Saint-Honoré, Paris");
        await admin.GetByLabel("Description").FillAsync(Description);
        await admin.GetByLabel("Capacity").FillAsync("10");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create event" }).ClickAsync();

        await Expect(admin.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(title);
        await Expect(admin.GetByTestId("event-starts")).ToContainTextAsync("Fri 12 Dec 2031, 18:00 (Europe/Paris)");
        var eventId = EventIdInPath().Match(admin.Url).Groups["id"].Value;
        var stored = (await catalog.FindAsync(Guid.Parse(eventId)))!;
        Assert.Equal(new DateTimeOffset(2031, 12, 12, 17, 0, 0, TimeSpan.Zero), stored.StartsAt); // 18:00 in Paris is 17:00 UTC in winter

        // A member in New York reads Paris time, named, with their own beside it.
        var member = await NewMemberAsync("Marie Curie", timeZone: "America/New_York");
        await member.GotoAsync($"/app/events/{eventId}");
        await Expect(member.GetByTestId("event-starts")).ToContainTextAsync("Fri 12 Dec 2031, 18:00 (Europe/Paris)");
        await Expect(member.GetByTestId("event-starts").GetByTestId("your-time")).ToContainTextAsync("your time:");
        await Expect(member.GetByTestId("event-starts").GetByTestId("your-time")).ToContainTextAsync("12:00");
        await Expect(member.GetByTestId("event-ends")).ToContainTextAsync("Fri 12 Dec 2031, 21:30 (Europe/Paris)");
        await Expect(member.GetByTestId("event-location")).ToHaveTextAsync("Salle Pleyel, 252 rue du Faubourg Saint-Honoré, Paris");
        var description = member.GetByTestId("event-description");
        Assert.Equal(Description, (await description.InnerTextAsync()).Trim()); // line breaks kept, the markup shown as text
        await Expect(description.Locator("script")).ToHaveCountAsync(0);
        await Expect(member).Not.ToHaveTitleAsync("pwned");
        await Screenshots.SaveAsync(member, "event-details-local-time", fullPage: true);
        await member.EnrollThroughPageAsync(Guid.Parse(eventId));

        // A member in Paris sees Paris time alone: there is nothing to convert.
        var neighbour = await NewMemberAsync("Pierre Curie", timeZone: "Europe/Paris");
        await neighbour.GotoAsync($"/app/events/{eventId}");
        await Expect(neighbour.GetByTestId("event-starts")).ToContainTextAsync("18:00 (Europe/Paris)");
        await Expect(neighbour.GetByTestId("your-time")).ToHaveCountAsync(0);

        // The admin downloads the roster as filtered, and prints the check-in list.
        await admin.GotoAsync($"/admin/events/{eventId}?status=confirmed");
        await admin.ReloadUntilAsync(async () => await admin.GetByTestId("roster-user").CountAsync() == 1, "Marie Curie in the roster");
        var link = admin.GetByTestId("download-csv");
        await Expect(link).ToHaveAttributeAsync("href", $"/admin/events/{eventId}/enrollments.csv?status=confirmed");
        var download = await admin.RunAndWaitForDownloadAsync(() => link.ClickAsync());
        Assert.EndsWith("-enrollments-confirmed.csv", download.SuggestedFilename, StringComparison.Ordinal);
        await using (var file = File.OpenRead((await download.PathAsync())!))
        {
            var csv = await CsvFile.ReadAsync(file);
            var row = Assert.Single(csv.Rows);
            Assert.Equal(("Marie Curie", "confirmed"), (row["name"], row["status"]));
            Assert.EndsWith("@test.local", row["email"], StringComparison.Ordinal);
        }

        await admin.GetByTestId("check-in-list-link").ClickAsync();
        await Expect(admin.GetByTestId("check-in-title")).ToHaveTextAsync(title);
        await Expect(admin.GetByTestId("check-in-when")).ToContainTextAsync("Fri 12 Dec 2031, 18:00 (Europe/Paris)");
        await Expect(admin.GetByTestId("check-in-location")).ToContainTextAsync("Salle Pleyel");
        await Expect(admin.GetByTestId("check-in-name")).ToHaveTextAsync(["Marie Curie"]);
        await Expect(admin.Locator(".check-box")).ToHaveCountAsync(1);
        await admin.EmulateMediaAsync(new() { Media = Media.Print });
        await Expect(admin.Locator(".site-header")).ToBeHiddenAsync();
        await Expect(admin.Locator(".breadcrumb")).ToBeHiddenAsync();
        await Expect(admin.GetByTestId("check-in-table")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(admin, "admin-check-in-list", fullPage: true);
        await admin.EmulateMediaAsync(new() { Media = Media.Screen });

        // Closing refuses newcomers on the page; deleting is refused while someone is enrolled.
        await admin.GotoAsync($"/admin/events/{eventId}");
        await admin.GetByTestId("close-enrollment").ClickAsync();
        await Expect(admin.GetByTestId("window-state")).ToContainTextAsync("Enrollment closed");
        await neighbour.GotoAsync($"/app/events/{eventId}");
        await Expect(neighbour.GetByTestId("enrollment-closed")).ToHaveTextAsync("Enrollment is closed");
        await admin.GetByTestId("confirm-delete").CheckAsync();
        await admin.GetByTestId("delete-event").ClickAsync();
        await Expect(admin.GetByTestId("event-problem")).ToContainTextAsync("People have enrolled in this event");
    }

    [Fact]
    public async Task The_admin_edits_an_events_details_and_deletes_an_event_nobody_enrolled_in()
    {
        var created = await CreateEventAsync("Draft event", capacity: 5, hasWaitlist: false);
        var admin = await NewAdminAsync();
        await admin.GotoAsync($"/admin/events/{created.Id}");

        await admin.GetByLabel("Time zone").FillAsync("Mars/Olympus");
        await admin.GetByLabel("Description").FillAsync("Now with a description.");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save details" }).ClickAsync();
        await Expect(admin.Locator("#timezone-error")).ToContainTextAsync("IANA time zone name");
        Assert.Equal("", (await catalog.FindAsync(created.Id))!.Description);

        await admin.GetByLabel("Time zone").FillAsync("Asia/Tokyo");
        await admin.GetByLabel("Time zone").PressAsync("Escape"); // closes the list of suggested zones over the button
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save details" }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Status)).ToHaveTextAsync("The event details are saved.");
        var edited = (await catalog.FindAsync(created.Id))!;
        Assert.Equal(("Asia/Tokyo", "Now with a description."), (edited.TimeZone, edited.Description));
        Assert.Equal(created.StartsAt.AddHours(-9), edited.StartsAt); // the same wall-clock time, now read in Tokyo

        await admin.GetByTestId("delete-event").ClickAsync(); // the browser asks for the box first
        Assert.NotNull(await catalog.FindAsync(created.Id));
        await admin.GetByTestId("confirm-delete").CheckAsync();
        await admin.GetByTestId("delete-event").ClickAsync();
        await Expect(admin).ToHaveURLAsync(new Regex("/admin$"));
        await Expect(admin.GetByTestId("admin-notice")).ToHaveTextAsync("The event “Draft event” is deleted.");
        Assert.Null(await catalog.FindAsync(created.Id));
    }

    [GeneratedRegex("/admin/events/(?<id>[0-9a-f-]{36})")]
    private static partial Regex EventIdInPath();
}
