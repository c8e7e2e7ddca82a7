using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansEnrollment.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansEnrollment.Tests.Chaos;

/// <summary>
/// The web app's database goes away: every API call that needs it is a 503 problem with Retry-After within a bounded
/// time (never a hang, never a 500), and the app serves again, without a restart of its own, once the database is back.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class DatabaseOutageApiTests(ITestOutputHelper output)
{
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task While_the_database_is_down_the_API_answers_503_fast_and_serves_again_after()
    {
        await using var database = await PrivatePostgres.StartAsync();
        await using var app = new WebAppFactory(database.ConnectionString, new Dictionary<string, string?> { ["Outbox:RedeliverAfter"] = "00:00:02" });
        var (admin, _) = await app.SignedInAdminAsync();
        var (alice, _) = await app.SignedInClientAsync();
        var (bob, _) = await app.SignedInClientAsync();
        var warm = await CreateEventAsync(admin); // its grain is active and holds the event in memory
        var cold = await CreateEventAsync(admin); // no grain yet: activating it needs the database
        Assert.Equal(HttpStatusCode.Created, (await alice.PostAsync($"/api/events/{warm}/enrollments", null)).StatusCode);

        await database.StopImmediatelyAsync();
        var clock = Stopwatch.StartNew();
        (HttpClient Client, HttpMethod Method, string Path)[] calls =
        [
            (bob, HttpMethod.Post, $"/api/events/{warm}/enrollments"),  // a decision that must be committed
            (bob, HttpMethod.Post, $"/api/events/{cold}/enrollments"),  // a grain that cannot load
            (alice, HttpMethod.Delete, $"/api/events/{warm}/enrollments/me"),
            (alice, HttpMethod.Get, "/api/events"),
            (alice, HttpMethod.Get, $"/api/events/{warm}"),
            (alice, HttpMethod.Get, "/api/me/enrollments"),
            (alice, HttpMethod.Get, "/api/me/notifications"),
            (admin, HttpMethod.Put, $"/api/admin/events/{warm}/policy"),
        ];
        foreach (var (client, method, path) in calls)
        {
            var started = clock.Elapsed;
            using var request = new HttpRequestMessage(method, path);
            if (method == HttpMethod.Put)
            {
                request.Content = JsonContent.Create(new { capacity = 20, hasWaitlist = true });
            }

            using var response = await client.SendAsync(request);
            var took = clock.Elapsed - started;
            output.WriteLine($"database down: {method} {path} → {(int)response.StatusCode} in {took.TotalMilliseconds:0} ms");
            await AssertUnavailableAsync(response);
            Assert.True(took < AnswerWithin, $"{method} {path} took {took.TotalSeconds:0.0} s");
        }

        using var anonymous = app.CreateClient();
        await AssertUnavailableAsync(await anonymous.PostAsJsonAsync("/api/auth/token", new { email = WebAppFactory.AdminEmail, password = WebAppFactory.Password }));

        await database.RestartAsync();
        var restarted = clock.Elapsed;
        string? bobEnrollment = null;
        var recovery = await ChaosChecks.TimeUntilServingAsync(async () =>
        {
            using var response = await bob.PostAsync($"/api/events/{warm}/enrollments", null);
            bobEnrollment = response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : null;
            return bobEnrollment is not null;
        }, TimeSpan.FromSeconds(30), "bob's enrollment");
        output.WriteLine($"database restarted {restarted.TotalSeconds:0.0} s after the stop; the API served an enrollment {recovery.TotalMilliseconds:0} ms after the restart");

        Assert.Equal(HttpStatusCode.Created, (await bob.PostAsync($"/api/events/{cold}/enrollments", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/events")).StatusCode);
        foreach (var eventId in new[] { warm, cold })
        {
            await ChaosChecks.AssertNothingLostAsync(database.DataSource, database.Queries, eventId, [], TimeSpan.FromSeconds(20));
        }

        Assert.Equal(2, (await database.Queries.ListAsync(warm)).Count); // alice (her cancel was refused) and bob
    }

    private static async Task<Guid> CreateEventAsync(HttpClient admin)
    {
        var response = await admin.PostAsJsonAsync("/api/admin/events", new { title = "Outage", startsAt = DateTimeOffset.UtcNow.AddDays(3), capacity = 10, hasWaitlist = true });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
    }
}
