using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Web;

/// <summary>The admin's event page as a browser without JavaScript uses it: plain form posts with the session cookie.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class EventAdminPagesTests(PostgresFixture database) : ApiTestBase(database)
{
    private async Task<(HttpClient Browser, Guid EventId, string Page)> AdminOnAnEventPageAsync()
    {
        (await App.SignedInAdminAsync()).Client.Dispose();
        var browser = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await PageSession.SignInAsync(browser, WebAppFactory.AdminEmail);
        var info = await Database.CreateEventAsync(capacity: 4, hasWaitlist: true, title: "Page-driven event");
        return (browser, info.Id, $"/admin/events/{info.Id}");
    }

    private static Dictionary<string, string> DetailsForm(string timeZone, string startsAt, string description = "") => new()
    {
        ["Details.Title"] = "Page-driven event",
        ["Details.TimeZone"] = timeZone,
        ["Details.StartsAt"] = startsAt,
        ["Details.EndsAt"] = "",
        ["Details.Location"] = "",
        ["Details.Description"] = description,
    };

    [Fact]
    public async Task Deleting_without_ticking_the_box_deletes_nothing()
    {
        var (browser, eventId, page) = await AdminOnAnEventPageAsync();

        var unconfirmed = await PageSession.PostFormAsync(browser, page, new Dictionary<string, string>(), handler: "Delete");
        var shown = await browser.GetStringAsync(page);

        Assert.Equal(HttpStatusCode.Redirect, unconfirmed.StatusCode);
        Assert.Contains("Tick the box to confirm", shown, StringComparison.Ordinal);
        Assert.NotNull(await Database.Catalog.FindAsync(eventId));

        var confirmed = await PageSession.PostFormAsync(browser, page, new Dictionary<string, string> { ["confirm"] = "true" }, handler: "Delete");
        Assert.Equal("/admin", confirmed.Headers.Location?.OriginalString);
        Assert.Null(await Database.Catalog.FindAsync(eventId));
    }

    [Fact]
    public async Task A_time_the_clocks_skip_and_bad_details_are_refused_field_by_field_and_nothing_changes()
    {
        var (browser, eventId, page) = await AdminOnAnEventPageAsync();
        var before = await Database.Catalog.FindAsync(eventId);

        // 02:30 on 30 March 2031 never happens in Paris: the clocks go from 02:00 to 03:00.
        var gap = await PageSession.PostFormAsync(browser, page, DetailsForm("Europe/Paris", "2031-03-30T02:30"), handler: "Details");
        var bad = await PageSession.PostFormAsync(browser, page, DetailsForm("Atlantis/Capital", "2031-03-30T12:00", new string('x', 4001)), handler: "Details");
        var gapPage = await gap.Content.ReadAsStringAsync();
        var badPage = await bad.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, gap.StatusCode);
        Assert.Contains("The clocks in Europe/Paris skip that time", gapPage, StringComparison.Ordinal);
        Assert.Contains("IANA time zone name", badPage, StringComparison.Ordinal);
        Assert.Contains("A description has at most 4000 characters.", badPage, StringComparison.Ordinal);
        Assert.Equal(before, await Database.Catalog.FindAsync(eventId));
    }

    [Fact]
    public async Task Local_times_are_read_in_the_events_zone_and_a_repeated_hour_as_its_first()
    {
        var (browser, eventId, page) = await AdminOnAnEventPageAsync();

        var saved = await PageSession.PostFormAsync(browser, page, DetailsForm("America/New_York", "2031-07-04T21:00"), handler: "Details");
        var summer = (await Database.Catalog.FindAsync(eventId))!;
        var shown = await browser.GetStringAsync(page);
        // 01:30 on 2 November 2031 happens twice in New York; the form reads it as the first (daylight time, UTC-4).
        await PageSession.PostFormAsync(browser, page, DetailsForm("America/New_York", "2031-11-02T01:30"), handler: "Details");
        var repeated = (await Database.Catalog.FindAsync(eventId))!;

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal(new DateTimeOffset(2031, 7, 5, 1, 0, 0, TimeSpan.Zero), summer.StartsAt);
        Assert.Equal("America/New_York", summer.TimeZone);
        Assert.Equal(new DateTimeOffset(2031, 11, 2, 5, 30, 0, TimeSpan.Zero), repeated.StartsAt);
        Assert.Contains("Fri 4 Jul 2031, 21:00 (America/New_York)", shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Closing_and_opening_from_the_page_go_through_the_grain()
    {
        var (browser, eventId, page) = await AdminOnAnEventPageAsync();
        var (member, _) = await App.SignedInClientAsync();

        await PageSession.PostFormAsync(browser, page, new Dictionary<string, string>(), handler: "Close");
        var refused = await member.PostAsync($"/api/events/{eventId}/enrollments", null);
        Assert.Contains("Enrollment closed", await browser.GetStringAsync(page), StringComparison.Ordinal);
        await PageSession.PostFormAsync(browser, page, new Dictionary<string, string>(), handler: "Open");
        var admitted = await member.PostAsync($"/api/events/{eventId}/enrollments", null);

        await AssertProblemAsync(refused, HttpStatusCode.UnprocessableEntity, EnrollmentResult.ClosedTitle);
        Assert.Equal(HttpStatusCode.Created, admitted.StatusCode);
        Assert.Contains("Enrollment is open.", await browser.GetStringAsync(page), StringComparison.Ordinal);
    }
}
