using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Web;

[Collection(DatabaseCollection.Name)]
public sealed class LifecycleApiTests(PostgresFixture database) : ApiTestBase(database)
{
    [Fact]
    public async Task Cancelling_frees_the_seat_for_the_head_of_the_waitlist_and_ranks_move_up()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 1, hasWaitlist: true, title: "Tight squeeze");
        var (holder, _) = await EnrollAsync(eventId);
        var (next, nextEnrollment) = await EnrollAsync(eventId);
        var (later, laterEnrollment) = await EnrollAsync(eventId);
        Assert.Equal(2, laterEnrollment.GetProperty("waitlistPosition").GetInt32());

        var cancelled = await holder.DeleteAsync($"/api/events/{eventId}/enrollments/me");

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("cancelled", (await JsonAsync(cancelled)).GetProperty("status").GetString());
        var promoted = await next.GetFromJsonAsync<JsonElement>($"/api/events/{eventId}/enrollments/me");
        Assert.Equal("confirmed", promoted.GetProperty("status").GetString());
        Assert.Equal(nextEnrollment.GetProperty("id").GetString(), promoted.GetProperty("id").GetString());
        var moved = await later.GetFromJsonAsync<JsonElement>($"/api/events/{eventId}/enrollments/me");
        Assert.Equal(1, moved.GetProperty("waitlistPosition").GetInt32());
        Assert.Equal(1, (await later.GetFromJsonAsync<JsonElement[]>("/api/me/enrollments"))!.Single().GetProperty("waitlistPosition").GetInt32());
        await AssertProblemAsync(await holder.DeleteAsync($"/api/events/{eventId}/enrollments/me"), HttpStatusCode.NotFound);

        await Eventually.HoldsAsync(async () =>
            (await next.GetFromJsonAsync<JsonElement[]>("/api/me/notifications"))!
                .Any(n => n.GetProperty("message").GetString() == "A seat opened: you are now confirmed for Tight squeeze"),
            TimeSpan.FromSeconds(30), "the promoted user is told");

        // the canceller may come back, as a newcomer at the end of the queue
        var back = await holder.PostAsync($"/api/events/{eventId}/enrollments", null);
        Assert.Equal(HttpStatusCode.Created, back.StatusCode);
        Assert.Equal(2, (await JsonAsync(back)).GetProperty("waitlistPosition").GetInt32());
    }

    [Fact]
    public async Task Admins_check_in_then_mark_attended_with_reasons_in_the_audit_trail()
    {
        var (admin, adminId) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 5, hasWaitlist: false);
        var (_, enrollment) = await EnrollAsync(eventId);
        var enrollmentId = enrollment.GetProperty("id").GetString();
        var path = $"/api/admin/events/{eventId}/enrollments/{enrollmentId}";

        var early = await admin.PostAsJsonAsync($"{path}/attend", new { reason = "too early" });
        var checkedIn = await admin.PostAsJsonAsync($"{path}/check-in", new { reason = "arrived at the door" });
        var again = await admin.PostAsync($"{path}/check-in", null);
        var attended = await admin.PostAsync($"{path}/attend", null);

        var problem = await AssertProblemAsync(early, HttpStatusCode.Conflict, "Transition not allowed");
        Assert.Contains("checked_in", problem.GetProperty("detail").GetString());
        Assert.Equal("checked_in", (await JsonAsync(checkedIn)).GetProperty("status").GetString());
        await AssertProblemAsync(again, HttpStatusCode.Conflict);
        Assert.Equal("attended", (await JsonAsync(attended)).GetProperty("status").GetString());
        var trail = (await admin.GetFromJsonAsync<JsonElement[]>($"{path}/transitions"))!;
        Assert.Equal([null, "confirmed", "checked_in"], trail.Select(t => t.GetProperty("fromStatus").GetString()));
        Assert.Equal(["confirmed", "checked_in", "attended"], trail.Select(t => t.GetProperty("toStatus").GetString()));
        Assert.Equal("arrived at the door", trail[1].GetProperty("reason").GetString());
        Assert.Equal(adminId.ToString(), trail[1].GetProperty("actorId").GetString());
        var seats = await admin.GetFromJsonAsync<JsonElement>($"/api/events/{eventId}");
        Assert.Equal(1, seats.GetProperty("activeCount").GetInt32()); // attended still holds its seat
    }

    [Fact]
    public async Task Admin_cancel_and_promote_follow_the_seats_and_a_promotion_on_a_full_event_adds_a_seat()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 1, hasWaitlist: true);
        var (_, holder) = await EnrollAsync(eventId);
        var (_, first) = await EnrollAsync(eventId);
        var (waiter, second) = await EnrollAsync(eventId);
        var basePath = $"/api/admin/events/{eventId}/enrollments";

        var withoutReason = await admin.PostAsync($"{basePath}/{second.GetProperty("id").GetString()}/promote", null);
        var promoted = await admin.PostAsJsonAsync($"{basePath}/{second.GetProperty("id").GetString()}/promote", new { reason = "keynote speaker" });
        var cancelled = await admin.PostAsJsonAsync($"{basePath}/{holder.GetProperty("id").GetString()}/cancel", new { reason = "asked by phone" });

        var problem = await AssertProblemAsync(withoutReason, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("reason", out _));
        // the full event took the waiting person out of order by gaining a seat, in the same decision
        Assert.Equal("confirmed", (await JsonAsync(promoted)).GetProperty("status").GetString());
        Assert.Equal("confirmed", (await waiter.GetFromJsonAsync<JsonElement>($"/api/events/{eventId}/enrollments/me")).GetProperty("status").GetString());
        var trail = (await admin.GetFromJsonAsync<JsonElement[]>($"{basePath}/{second.GetProperty("id").GetString()}/transitions"))!;
        Assert.Equal("promoted by an admin; capacity raised from 1 to 2: keynote speaker", trail.Last().GetProperty("reason").GetString());
        // the holder's seat went to the first person waiting
        Assert.Equal("cancelled", (await JsonAsync(cancelled)).GetProperty("status").GetString());
        var seats = await admin.GetFromJsonAsync<JsonElement>($"/api/events/{eventId}");
        Assert.Equal((2, 2, 0), (seats.GetProperty("capacity").GetInt32(), seats.GetProperty("activeCount").GetInt32(), seats.GetProperty("waitlistCount").GetInt32()));
        var already = await admin.PostAsJsonAsync($"{basePath}/{first.GetProperty("id").GetString()}/promote", new { reason = "twice" });
        await AssertProblemAsync(already, HttpStatusCode.Conflict);
        await AssertProblemAsync(await admin.PostAsync($"{basePath}/{Guid.NewGuid()}/cancel", null), HttpStatusCode.NotFound);
        await AssertProblemAsync(await admin.PostAsync($"{basePath}/not-an-id/cancel", null), HttpStatusCode.BadRequest);
        await AssertProblemAsync(
            await admin.PostAsJsonAsync($"{basePath}/{first.GetProperty("id").GetString()}/check-in", new { reason = new string('r', 501) }), HttpStatusCode.BadRequest);
        await DatabaseInvariants.AssertHoldAsync(Database.DataSource, Guid.Parse(eventId));
    }

    [Fact]
    public async Task Users_cannot_reach_admin_transitions()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 5, hasWaitlist: false);
        var (user, enrollment) = await EnrollAsync(eventId);

        var response = await user.PostAsync($"/api/admin/events/{eventId}/enrollments/{enrollment.GetProperty("id").GetString()}/cancel", null);

        await AssertProblemAsync(response, HttpStatusCode.Forbidden);
    }
}
