using System.Net;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Web;

/// <summary><c>GET /api/events/{id}/calendar.ics</c>: the invitation, for people holding a seat only.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class CalendarApiTests(PostgresFixture database) : ApiTestBase(database)
{
    [Fact]
    public async Task A_person_with_a_seat_gets_the_invitation_and_anyone_else_a_problem()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 1, hasWaitlist: true, title: "Calendar evening");
        var (seated, _) = await EnrollAsync(eventId);
        var (waiting, _) = await EnrollAsync(eventId);
        var path = $"/api/events/{eventId}/calendar.ics";

        var file = await seated.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("text/calendar", file.Content.Headers.ContentType?.MediaType);
        var calendar = Ical.Net.Calendar.Load(await file.Content.ReadAsStringAsync())!;
        var entry = Assert.Single(calendar.Events);
        Assert.Equal("Calendar evening", entry.Summary);
        Assert.Equal($"{WebAppFactory.PublicBaseUrl}/app/events/{eventId}", entry.Url?.ToString());

        await AssertProblemAsync(await waiting.GetAsync(path), HttpStatusCode.NotFound);
        await AssertProblemAsync(await admin.GetAsync(path), HttpStatusCode.NotFound); // not enrolled
        await AssertProblemAsync(await seated.GetAsync($"/api/events/{Guid.NewGuid()}/calendar.ics"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await seated.GetAsync("/api/events/not-a-guid/calendar.ics"), HttpStatusCode.BadRequest);
        using var anonymous = App.CreateClient();
        await AssertProblemAsync(await anonymous.GetAsync(path), HttpStatusCode.Unauthorized);
    }
}
