using System.Net;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Web;

/// <summary>The hostile inputs the fuzz test (Fuzz/) found to be server errors, kept as named cases.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class HostileInputApiTests(PostgresFixture database) : ApiTestBase(database)
{
    // JSON escapes, so the NUL reaches the app itself
    [Theory]
    [InlineData("/api/auth/register", """{"email":"nul-{id}@test.local","password":"long enough","displayName":"a\u0000b"}""", "displayName")]
    // a lone surrogate is refused already by the JSON reader: a 400 for the body, not for a field
    [InlineData("/api/auth/register", """{"email":"surrogate-{id}@test.local","password":"long enough","displayName":"\ud800"}""", null)]
    [InlineData("/api/auth/register", """{"email":"nul\u0000{id}@test.local","password":"long enough","displayName":"Nul"}""", "email")]
    public async Task Text_PostgreSQL_cannot_store_is_a_400(string path, string json, string? field)
    {
        using var client = App.CreateClient();

        var response = await client.PostAsync(path, RawJson(json.Replace("{id}", Guid.NewGuid().ToString("N"), StringComparison.Ordinal)));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        if (field is not null)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
        }
    }

    [Fact]
    public async Task Signing_in_with_a_NUL_in_the_address_is_a_401_not_a_server_error()
    {
        using var client = App.CreateClient();

        var response = await client.PostAsync("/api/auth/token", RawJson("""{"email":"a\u0000b@test.local","password":"long enough"}"""));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_unstorable_event_title_or_reason_is_a_400()
    {
        var (admin, _) = await App.SignedInAdminAsync();

        var created = await admin.PostAsync("/api/admin/events",
            RawJson("""{"title":"x\u0000y","startsAt":"2030-01-01T00:00:00Z","capacity":3,"hasWaitlist":false}"""));
        var transition = await admin.PostAsync($"/api/admin/events/{Guid.NewGuid()}/enrollments/{Guid.NewGuid()}/cancel", RawJson("""{"reason":"\ud800"}"""));

        await AssertProblemAsync(created, HttpStatusCode.BadRequest);
        await AssertProblemAsync(transition, HttpStatusCode.BadRequest);
    }

    // The in-process test server enforces no body limit of its own (Kestrel's is Kestrel's), so this is the app's.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_1_MB_is_a_413_problem_with_or_without_a_length(bool withLength)
    {
        using var client = App.CreateClient();
        var bytes = System.Text.Encoding.UTF8.GetBytes("{\"email\":\"" + new string('a', 1024 * 1024) + "\"}");
        HttpContent content = withLength ? new ByteArrayContent(bytes) : new StreamContent(new UnseekableStream(bytes));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var response = await client.PostAsync("/api/auth/token", content);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
