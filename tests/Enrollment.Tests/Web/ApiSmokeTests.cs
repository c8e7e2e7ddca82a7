using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Web;

[Collection(DatabaseCollection.Name)]
public sealed class ApiSmokeTests(PostgresFixture database) : IAsyncLifetime
{
    private WebAppFactory app = null!;

    public Task InitializeAsync()
    {
        app = new WebAppFactory(database.ConnectionString);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_user_enrolls_through_the_api()
    {
        var (admin, _) = await app.SignedInAdminAsync();
        var created = await admin.PostAsJsonAsync("/api/admin/events", new { title = "Smoke", startsAt = DateTimeOffset.UtcNow.AddDays(1), capacity = 1, hasWaitlist = true });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var evt = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = evt.GetProperty("id").GetString();

        var (user, userId) = await app.SignedInClientAsync();
        var enrolled = await user.PostAsync($"/api/events/{id}/enrollments", null);
        Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);
        var body = await enrolled.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("confirmed", body.GetProperty("status").GetString());
        Assert.Equal(userId.ToString(), body.GetProperty("userId").GetString());
    }
}
