using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Web;

/// <summary>An admin closes and opens enrollment, and deletes events nobody enrolled in, through the HTTP API.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class EventOpenCloseDeleteApiTests(PostgresFixture database) : ApiTestBase(database)
{
    [Fact]
    public async Task After_closing_newcomers_are_refused_and_after_opening_they_get_in()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 10, hasWaitlist: true);
        var (early, _) = await EnrollAsync(eventId);

        var closed = await admin.PostAsync($"/api/admin/events/{eventId}/close", null);
        var (late, _) = await App.SignedInClientAsync();
        var refused = await late.PostAsync($"/api/events/{eventId}/enrollments", null);
        var closedBody = await JsonAsync(closed);

        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        Assert.True(closedBody.GetProperty("closesAt").GetDateTimeOffset() <= DateTimeOffset.UtcNow);
        await AssertProblemAsync(refused, HttpStatusCode.UnprocessableEntity, EnrollmentResult.ClosedTitle);
        // closing refuses newcomers only: an enrolled person can still cancel
        Assert.Equal(HttpStatusCode.OK, (await early.DeleteAsync($"/api/events/{eventId}/enrollments/me")).StatusCode);

        var opened = await JsonAsync(await admin.PostAsync($"/api/admin/events/{eventId}/open", null));
        var admitted = await late.PostAsync($"/api/events/{eventId}/enrollments", null);

        Assert.Equal(JsonValueKind.Null, opened.GetProperty("closesAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, opened.GetProperty("opensAt").ValueKind);
        Assert.Equal(HttpStatusCode.Created, admitted.StatusCode);
    }

    [Fact]
    public async Task Closing_an_event_not_open_yet_drops_the_opening_and_opening_keeps_the_waitlist_deadline()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 1, hasWaitlist: true);
        var later = DateTimeOffset.UtcNow.AddDays(1);
        var policy = await admin.PutAsJsonAsync($"/api/admin/events/{eventId}/policy",
            new { capacity = 1, hasWaitlist = true, opensAt = later, closesAt = later.AddDays(1), waitlistClosesAt = later.AddHours(12) });
        Assert.Equal(HttpStatusCode.OK, policy.StatusCode);

        var closed = await JsonAsync(await admin.PostAsync($"/api/admin/events/{eventId}/close", null));
        var opened = await JsonAsync(await admin.PostAsync($"/api/admin/events/{eventId}/open", null));

        Assert.Equal(JsonValueKind.Null, closed.GetProperty("opensAt").ValueKind);
        Assert.True(closed.GetProperty("closesAt").GetDateTimeOffset() < later);
        Assert.Equal(later.AddHours(12), opened.GetProperty("waitlistClosesAt").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));
        var stored = (await Database.Catalog.FindAsync(Guid.Parse(eventId)))!.Policy;
        Assert.Equal((null, null, 1, true), (stored.OpensAt, stored.ClosesAt, stored.Capacity, stored.HasWaitlist));
    }

    [Fact]
    public async Task Opening_or_closing_an_unknown_event_is_a_404()
    {
        var (admin, _) = await App.SignedInAdminAsync();

        await AssertProblemAsync(await admin.PostAsync($"/api/admin/events/{Guid.NewGuid()}/close", null), HttpStatusCode.NotFound);
        await AssertProblemAsync(await admin.PostAsync($"/api/admin/events/{Guid.NewGuid()}/open", null), HttpStatusCode.NotFound);
        await AssertProblemAsync(await admin.PostAsync("/api/admin/events/nope/open", null), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_event_nobody_enrolled_in_is_deleted()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 3, hasWaitlist: false);
        var (member, _) = await App.SignedInClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/admin/events/{eventId}/enrollments")).StatusCode); // wakes its roster
        Assert.Equal(0, (await member.GetFromJsonAsync<JsonElement>($"/api/events/{eventId}")).GetProperty("activeCount").GetInt32());
        await AssertProblemAsync(await member.GetAsync($"/api/events/{eventId}/enrollments/me"), HttpStatusCode.NotFound); // wakes its decider

        var deleted = await admin.DeleteAsync($"/api/admin/events/{eventId}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(0, deleted.Content.Headers.ContentLength ?? 0);
        Assert.Null(await Database.Catalog.FindAsync(Guid.Parse(eventId)));
        await AssertProblemAsync(await member.GetAsync($"/api/events/{eventId}"), HttpStatusCode.NotFound);
        // the grain holds nothing of it any more: enrolling is refused as for an unknown event, and writes nothing
        await AssertProblemAsync(await member.PostAsync($"/api/events/{eventId}/enrollments", null), HttpStatusCode.NotFound);
        Assert.Empty(await Database.Queries.ListAsync(Guid.Parse(eventId)));
        await AssertProblemAsync(await admin.DeleteAsync($"/api/admin/events/{eventId}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_event_with_enrollments_is_kept_even_when_every_enrollment_is_cancelled()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 3, hasWaitlist: false);
        var (member, _) = await EnrollAsync(eventId);

        var withLive = await admin.DeleteAsync($"/api/admin/events/{eventId}");
        Assert.Equal(HttpStatusCode.OK, (await member.DeleteAsync($"/api/events/{eventId}/enrollments/me")).StatusCode);
        var withCancelled = await admin.DeleteAsync($"/api/admin/events/{eventId}");

        await AssertProblemAsync(withLive, HttpStatusCode.Conflict, "Event has enrollments");
        await AssertProblemAsync(withCancelled, HttpStatusCode.Conflict, "Event has enrollments");
        Assert.NotNull(await Database.Catalog.FindAsync(Guid.Parse(eventId)));
        // the grain keeps deciding after a refused delete
        Assert.Equal(HttpStatusCode.Created, (await member.PostAsync($"/api/events/{eventId}/enrollments", null)).StatusCode);
    }

    [Fact]
    public async Task Deleting_an_unknown_event_is_a_404_and_a_malformed_id_a_400()
    {
        var (admin, _) = await App.SignedInAdminAsync();

        await AssertProblemAsync(await admin.DeleteAsync($"/api/admin/events/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await admin.DeleteAsync("/api/admin/events/123"), HttpStatusCode.BadRequest);
    }
}
