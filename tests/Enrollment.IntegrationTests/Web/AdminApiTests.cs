using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Web;

[Collection(DatabaseCollection.Name)]
public sealed class AdminApiTests(PostgresFixture database) : ApiTestBase(database)
{
    [Fact]
    public async Task Admins_create_events_and_change_their_policy()
    {
        var (admin, _) = await App.SignedInAdminAsync();

        var created = await admin.PostAsJsonAsync("/api/admin/events", new { title = "  Launch party ", startsAt = "2027-01-15T18:00:00Z", capacity = (int?)null, hasWaitlist = false });
        var body = await JsonAsync(created);
        var eventId = body.GetProperty("id").GetString();
        var changed = await admin.PutAsJsonAsync($"/api/admin/events/{eventId}/policy", new { capacity = 40, hasWaitlist = true });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("Launch party", body.GetProperty("title").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("capacity").ValueKind);
        Assert.False(body.GetProperty("isFull").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var policy = await JsonAsync(changed);
        Assert.Equal(40, policy.GetProperty("capacity").GetInt32());
        Assert.True(policy.GetProperty("hasWaitlist").GetBoolean());
        Assert.Equal(new Enrollments.EnrollmentPolicy(40, true), (await Database.Catalog.FindAsync(Guid.Parse(eventId!)))!.Policy);
    }

    [Theory]
    [InlineData("""{"title":"No capacity field","startsAt":"2027-01-01T00:00:00Z","hasWaitlist":true}""", null)]
    [InlineData("""{"title":"Negative","startsAt":"2027-01-01T00:00:00Z","capacity":-1,"hasWaitlist":true}""", "capacity")]
    [InlineData("""{"title":"","startsAt":"2027-01-01T00:00:00Z","capacity":1,"hasWaitlist":true}""", "title")]
    [InlineData("""{"title":"Overflow","startsAt":"2027-01-01T00:00:00Z","capacity":99999999999,"hasWaitlist":true}""", null)]
    [InlineData("""{"title":"Wrong type","startsAt":"tomorrow","capacity":1,"hasWaitlist":true}""", null)]
    [InlineData("""{"title":"Broken", """, null)]
    [InlineData("""[1, 2, 3]""", null)]
    public async Task Bad_event_definitions_are_400_problems_and_create_nothing(string json, string? field)
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var before = (await Database.Catalog.ListAsync()).Count;

        var response = await admin.PostAsync("/api/admin/events", RawJson(json));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        if (field is not null)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
        }

        Assert.Equal(before, (await Database.Catalog.ListAsync()).Count);
    }

    [Fact]
    public async Task An_oversized_title_is_a_400_problem()
    {
        var (admin, _) = await App.SignedInAdminAsync();

        var response = await admin.PostAsJsonAsync("/api/admin/events", new { title = new string('t', 201), startsAt = DateTimeOffset.UtcNow, capacity = 1, hasWaitlist = false });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Bad_policy_changes_are_400s_and_unknown_events_404s()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 3, hasWaitlist: false);

        await AssertProblemAsync(await admin.PutAsJsonAsync($"/api/admin/events/{eventId}/policy", new { capacity = -5, hasWaitlist = false }), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await admin.PutAsync($"/api/admin/events/{eventId}/policy", RawJson("""{"capacity": 3}""")), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await admin.PutAsJsonAsync($"/api/admin/events/{Guid.NewGuid()}/policy", new { capacity = 5, hasWaitlist = false }), HttpStatusCode.NotFound);
        await AssertProblemAsync(await admin.PutAsJsonAsync("/api/admin/events/xyz/policy", new { capacity = 5, hasWaitlist = false }), HttpStatusCode.BadRequest);
        Assert.Equal(new Enrollments.EnrollmentPolicy(3, false), (await Database.Catalog.FindAsync(Guid.Parse(eventId)))!.Policy);
    }

    [Fact]
    public async Task The_roster_lists_enrollments_with_names_filters_by_status_and_pages()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 2, hasWaitlist: true);
        var names = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var name = $"Person {i}";
            var (user, _) = await App.SignedInClientAsync(displayName: name);
            await user.PostAsync($"/api/events/{eventId}/enrollments", null);
            names.Add(name);
        }

        JsonElement all = default;
        await Eventually.HoldsAsync(async () =>
        {
            all = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/events/{eventId}/enrollments");
            return all.GetProperty("total").GetInt32() == 5;
        }, TimeSpan.FromSeconds(30), "the roster catches up with five enrollments");
        var waitlisted = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/events/{eventId}/enrollments?status=waitlisted");
        var secondPage = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/events/{eventId}/enrollments?page=2&pageSize=2");

        Assert.Equal(names, all.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("displayName").GetString()));
        var first = all.GetProperty("items")[0];
        Assert.Equal("confirmed", first.GetProperty("status").GetString());
        Assert.True(first.TryGetProperty("createdAt", out _));
        Assert.True(Guid.TryParse(first.GetProperty("userId").GetString(), out _));
        Assert.Equal(3, waitlisted.GetProperty("total").GetInt32());
        Assert.Equal([1, 2, 3], waitlisted.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("waitlistPosition").GetInt32()));
        Assert.Equal(["Person 2", "Person 3"], secondPage.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("displayName").GetString()));
        Assert.Equal(5, secondPage.GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("?status=pending")]
    [InlineData("?page=0")]
    [InlineData("?pageSize=101")]
    [InlineData("?pageSize=0")]
    [InlineData("?page=abc")]
    public async Task Bad_roster_queries_are_400_problems(string query)
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 2, hasWaitlist: true);

        await AssertProblemAsync(await admin.GetAsync($"/api/admin/events/{eventId}/enrollments{query}"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_enrollments_audit_trail_is_listed()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 0, hasWaitlist: true);
        var (user, userId) = await App.SignedInClientAsync();
        var enrollment = await JsonAsync(await user.PostAsync($"/api/events/{eventId}/enrollments", null));
        var enrollmentId = enrollment.GetProperty("id").GetString();

        var trail = await admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/events/{eventId}/enrollments/{enrollmentId}/transitions");

        var row = Assert.Single(trail!);
        Assert.Equal(JsonValueKind.Null, row.GetProperty("fromStatus").ValueKind);
        Assert.Equal("waitlisted", row.GetProperty("toStatus").GetString());
        Assert.Equal(userId.ToString(), row.GetProperty("actorId").GetString());
        Assert.False(string.IsNullOrEmpty(row.GetProperty("reason").GetString()));
        Assert.Equal(JsonValueKind.String, row.GetProperty("id").ValueKind);
        await AssertProblemAsync(await admin.GetAsync($"/api/admin/events/{eventId}/enrollments/{Guid.NewGuid()}/transitions"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await admin.GetAsync($"/api/admin/events/{Guid.NewGuid()}/enrollments/{enrollmentId}/transitions"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await admin.GetAsync($"/api/admin/events/{eventId}/enrollments/nope/transitions"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Non_admins_get_403_problems_on_every_admin_route()
    {
        var (user, _) = await App.SignedInClientAsync();
        var anyId = Guid.NewGuid();

        var responses = new[]
        {
            await user.PostAsJsonAsync("/api/admin/events", new { title = "Mine", startsAt = DateTimeOffset.UtcNow, capacity = 1, hasWaitlist = false }),
            await user.PutAsJsonAsync($"/api/admin/events/{anyId}/policy", new { capacity = 1, hasWaitlist = false }),
            await user.GetAsync($"/api/admin/events/{anyId}/enrollments"),
            await user.GetAsync($"/api/admin/events/{anyId}/enrollments/{anyId}/transitions"),
            await user.PutAsJsonAsync($"/api/admin/events/{anyId}", new { title = "Mine now" }),
            await user.PostAsync($"/api/admin/events/{anyId}/close", null),
            await user.PostAsync($"/api/admin/events/{anyId}/open", null),
            await user.DeleteAsync($"/api/admin/events/{anyId}"),
            await user.GetAsync($"/api/admin/events/{anyId}/enrollments.csv"),
            await user.PostAsJsonAsync("/api/admin/admins", new { email = "me@test.local" }),
        };

        foreach (var response in responses)
        {
            await AssertProblemAsync(response, HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task An_admin_can_make_another_account_an_admin()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var email = $"promoted-{Guid.NewGuid():N}@test.local";
        var (before, _) = await App.SignedInClientAsync(email);
        await AssertProblemAsync(await before.GetAsync($"/api/admin/events/{Guid.NewGuid()}/enrollments"), HttpStatusCode.Forbidden);

        var granted = await admin.PostAsJsonAsync("/api/admin/admins", new { email });
        var (after, _) = await App.SignedInClientAsync(email); // the role comes with the next sign-in

        Assert.Equal(HttpStatusCode.NoContent, granted.StatusCode);
        await AssertProblemAsync(await after.GetAsync($"/api/admin/events/{Guid.NewGuid()}/enrollments"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/admin/admins", new { email = "nobody-here@test.local" }), HttpStatusCode.Conflict, "No confirmed account");
    }
}
