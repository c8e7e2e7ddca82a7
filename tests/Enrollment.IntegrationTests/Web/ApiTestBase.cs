using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Web;

/// <summary>One real web frontend per test class (co-hosted silo, real PostgreSQL), and the calls tests make on it.</summary>
public abstract class ApiTestBase(PostgresFixture database) : IAsyncLifetime
{
    protected PostgresFixture Database { get; } = database;

    protected WebAppFactory App { get; private set; } = null!;

    protected virtual IReadOnlyDictionary<string, string?>? Settings => null;

    public Task InitializeAsync()
    {
        App = Settings is null ? Database.SharedWebApp : new WebAppFactory(Database.ConnectionString, Settings);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (App != Database.SharedWebApp)
        {
            await App.DisposeAsync();
        }
    }

    protected async Task<string> CreateEventAsync(HttpClient admin, int? capacity, bool hasWaitlist, string title = "API test event")
    {
        var response = await admin.PostAsJsonAsync(
            "/api/admin/events", new { title, startsAt = DateTimeOffset.UtcNow.AddDays(3), capacity, hasWaitlist });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>A new person enrolls (201); returns their client and the enrollment.</summary>
    protected async Task<(HttpClient Client, JsonElement Enrollment)> EnrollAsync(string eventId)
    {
        var (user, _) = await App.SignedInClientAsync();
        var response = await user.PostAsync($"/api/events/{eventId}/enrollments", null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (user, await JsonAsync(response));
    }

    protected static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    /// <summary>Asserts an RFC 9457 problem response with this status (and title, when given).</summary>
    protected static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? title = null)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(response);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        if (title is not null)
        {
            Assert.Equal(title, problem.GetProperty("title").GetString());
        }

        return problem;
    }

    protected static StringContent RawJson(string body) => new(body, System.Text.Encoding.UTF8, "application/json");
}
