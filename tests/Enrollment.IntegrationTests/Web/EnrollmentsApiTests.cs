using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Web;

[Collection(DatabaseCollection.Name)]
public sealed class EnrollmentsApiTests(PostgresFixture database) : ApiTestBase(database)
{
    [Fact]
    public async Task Enrolling_confirms_then_returns_the_same_enrollment_again()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 5, hasWaitlist: false);
        var (user, userId) = await App.SignedInClientAsync();

        var first = await user.PostAsync($"/api/events/{eventId}/enrollments", null);
        var second = await user.PostAsync($"/api/events/{eventId}/enrollments", null);
        var mine = await user.GetAsync($"/api/events/{eventId}/enrollments/me");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal($"/api/events/{eventId}/enrollments/me", first.Headers.Location?.OriginalString);
        var body = await JsonAsync(first);
        Assert.Equal("confirmed", body.GetProperty("status").GetString());
        Assert.Equal(eventId, body.GetProperty("eventId").GetString());
        Assert.Equal(userId.ToString(), body.GetProperty("userId").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("waitlistPosition").ValueKind);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(body.ToString(), (await JsonAsync(second)).ToString());
        Assert.Equal(body.ToString(), (await JsonAsync(mine)).ToString());
    }

    [Fact]
    public async Task A_full_event_with_a_waitlist_gives_positions_in_arrival_order()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 1, hasWaitlist: true);
        var bodies = new List<JsonElement>();
        for (var i = 0; i < 3; i++)
        {
            var (user, _) = await App.SignedInClientAsync();
            var response = await user.PostAsync($"/api/events/{eventId}/enrollments", null);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            bodies.Add(await JsonAsync(response));
        }

        Assert.Equal(["confirmed", "waitlisted", "waitlisted"], bodies.Select(body => body.GetProperty("status").GetString()));
        Assert.Equal([1, 2], bodies.Skip(1).Select(body => body.GetProperty("waitlistPosition").GetInt32()));
    }

    [Fact]
    public async Task A_full_event_without_a_waitlist_is_a_422_and_writes_nothing()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 1, hasWaitlist: false);
        var (first, _) = await App.SignedInClientAsync();
        await first.PostAsync($"/api/events/{eventId}/enrollments", null);
        var (late, _) = await App.SignedInClientAsync();

        var refused = await late.PostAsync($"/api/events/{eventId}/enrollments", null);
        var mine = await late.GetAsync($"/api/events/{eventId}/enrollments/me");

        await AssertProblemAsync(refused, HttpStatusCode.UnprocessableEntity, EnrollmentResult.EventFullTitle);
        await AssertProblemAsync(mine, HttpStatusCode.NotFound);
        Assert.Single(await Database.Queries.ListAsync(Guid.Parse(eventId)));
    }

    [Fact]
    public async Task Unknown_and_malformed_event_ids_are_404_and_400()
    {
        var (user, _) = await App.SignedInClientAsync();
        var unknown = Guid.NewGuid();

        await AssertProblemAsync(await user.PostAsync($"/api/events/{unknown}/enrollments", null), HttpStatusCode.NotFound);
        await AssertProblemAsync(await user.GetAsync($"/api/events/{unknown}"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await user.PostAsync("/api/events/not-a-guid/enrollments", null), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await user.GetAsync("/api/events/123/enrollments/me"), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await user.GetAsync("/api/events/' OR 1=1 --"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_idempotency_key_is_recorded_and_must_be_a_guid()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: null, hasWaitlist: false);
        var (user, _) = await App.SignedInClientAsync();
        var key = Guid.NewGuid();

        using var bad = new HttpRequestMessage(HttpMethod.Post, $"/api/events/{eventId}/enrollments") { Headers = { { "Idempotency-Key", "nope" } } };
        await AssertProblemAsync(await user.SendAsync(bad), HttpStatusCode.BadRequest);
        using var good = new HttpRequestMessage(HttpMethod.Post, $"/api/events/{eventId}/enrollments") { Headers = { { "Idempotency-Key", key.ToString() } } };
        Assert.Equal(HttpStatusCode.Created, (await user.SendAsync(good)).StatusCode);

        var transition = Assert.Single(await Database.Queries.ListTransitionsAsync(Guid.Parse(eventId)));
        Assert.Equal(key, transition.RequestId);
    }

    [Fact]
    public async Task Events_are_listed_with_their_counts()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 1, hasWaitlist: true, title: "Counted");
        for (var i = 0; i < 3; i++)
        {
            var (user, _) = await App.SignedInClientAsync();
            await user.PostAsync($"/api/events/{eventId}/enrollments", null);
        }

        var (viewer, _) = await App.SignedInClientAsync();
        var listed = (await viewer.GetFromJsonAsync<JsonElement[]>("/api/events"))!.Single(e => e.GetProperty("id").GetString() == eventId);
        var single = await viewer.GetFromJsonAsync<JsonElement>($"/api/events/{eventId}");

        Assert.Equal(listed.ToString(), single.ToString());
        Assert.Equal("Counted", single.GetProperty("title").GetString());
        Assert.Equal(1, single.GetProperty("capacity").GetInt32());
        Assert.True(single.GetProperty("hasWaitlist").GetBoolean());
        Assert.Equal(1, single.GetProperty("activeCount").GetInt32());
        Assert.Equal(2, single.GetProperty("waitlistCount").GetInt32());
        Assert.True(single.GetProperty("isFull").GetBoolean());
        Assert.True(single.TryGetProperty("startsAt", out _));
    }

    [Fact]
    public async Task Users_see_only_their_own_enrollments_and_notifications()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 10, hasWaitlist: false, title: "Private matters");
        var (alice, aliceId) = await App.SignedInClientAsync();
        var (bob, _) = await App.SignedInClientAsync();
        await alice.PostAsync($"/api/events/{eventId}/enrollments", null);

        var aliceList = await alice.GetFromJsonAsync<JsonElement[]>("/api/me/enrollments");
        var bobList = await bob.GetFromJsonAsync<JsonElement[]>("/api/me/enrollments");
        var bobMine = await bob.GetAsync($"/api/events/{eventId}/enrollments/me");

        Assert.Equal(aliceId.ToString(), Assert.Single(aliceList!).GetProperty("userId").GetString());
        Assert.Empty(bobList!);
        await AssertProblemAsync(bobMine, HttpStatusCode.NotFound);

        JsonElement[] notifications = [];
        await Eventually.HoldsAsync(async () =>
        {
            notifications = (await alice.GetFromJsonAsync<JsonElement[]>("/api/me/notifications"))!;
            return notifications.Length == 1;
        }, TimeSpan.FromSeconds(30), "Alice's confirmation notification");
        var notification = notifications.Single();
        Assert.Equal("You are confirmed for Private matters", notification.GetProperty("message").GetString());
        Assert.Equal("confirmed", notification.GetProperty("kind").GetString());
        Assert.Equal(eventId, notification.GetProperty("eventId").GetString());
        Assert.Equal(JsonValueKind.Null, notification.GetProperty("readAt").ValueKind);
        Assert.Empty((await bob.GetFromJsonAsync<JsonElement[]>("/api/me/notifications"))!);
    }

    [Theory]
    [InlineData("GET", "/api/events")]
    [InlineData("GET", "/api/events/00000000-0000-0000-0000-000000000001")]
    [InlineData("POST", "/api/events/00000000-0000-0000-0000-000000000001/enrollments")]
    [InlineData("GET", "/api/events/00000000-0000-0000-0000-000000000001/enrollments/me")]
    [InlineData("GET", "/api/me/enrollments")]
    [InlineData("GET", "/api/me/notifications")]
    [InlineData("POST", "/api/admin/events")]
    [InlineData("PUT", "/api/admin/events/00000000-0000-0000-0000-000000000001/policy")]
    [InlineData("GET", "/api/admin/events/00000000-0000-0000-0000-000000000001/enrollments")]
    [InlineData("GET", "/api/admin/events/00000000-0000-0000-0000-000000000001/enrollments/00000000-0000-0000-0000-000000000002/transitions")]
    [InlineData("PUT", "/api/admin/events/00000000-0000-0000-0000-000000000001")]
    [InlineData("POST", "/api/admin/events/00000000-0000-0000-0000-000000000001/close")]
    [InlineData("POST", "/api/admin/events/00000000-0000-0000-0000-000000000001/open")]
    [InlineData("DELETE", "/api/admin/events/00000000-0000-0000-0000-000000000001")]
    [InlineData("GET", "/api/admin/events/00000000-0000-0000-0000-000000000001/enrollments.csv")]
    [InlineData("POST", "/api/admin/admins")]
    public async Task Anonymous_callers_get_401_problems(string method, string path)
    {
        using var client = App.CreateClient();

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_openapi_document_describes_every_route_to_admins_only()
    {
        using var anonymous = App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var (user, _) = await App.SignedInClientAsync();
        var (client, _) = await App.SignedInAdminAsync();

        var refused = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/account/signin", refused.Headers.Location?.PathAndQuery, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("/openapi/v1.json")).StatusCode);
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths").EnumerateObject().Select(path => path.Name).ToList();
        Assert.Contains("/api/auth/register", paths);
        Assert.Contains("/api/auth/token", paths);
        Assert.Contains("/api/events", paths);
        Assert.Contains("/api/events/{eventId}/enrollments", paths);
        Assert.Contains("/api/events/{eventId}/enrollments/me", paths);
        Assert.Contains("/api/me/enrollments", paths);
        Assert.Contains("/api/me/notifications", paths);
        Assert.Contains("/api/admin/events", paths);
        Assert.Contains("/api/admin/events/{eventId}/policy", paths);
        Assert.Contains("/api/admin/events/{eventId}/enrollments", paths);
        Assert.Contains("/api/admin/events/{eventId}/enrollments/{enrollmentId}/transitions", paths);
        Assert.Contains("/api/admin/admins/{userId}", paths);
        Assert.Contains("/api/auth/password-reset", paths);
        Assert.Contains("/api/me/sign-out-everywhere", paths);
    }
}
