using System.Net;
using System.Net.Http.Json;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Web;

[Collection(DatabaseCollection.Name)]
public sealed class AccountsApiTests(PostgresFixture database) : ApiTestBase(database)
{
    [Fact]
    public async Task Registering_creates_an_account_that_can_get_a_bearer_token()
    {
        using var client = App.CreateClient();
        var email = $"new-{Guid.NewGuid():N}@test.local";

        var registered = await client.PostAsJsonAsync("/api/auth/register", new { email, password = "long enough", displayName = "New Person" });
        var token = await client.PostAsJsonAsync("/api/auth/token", new { email = email.ToUpperInvariant(), password = "long enough" });

        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var account = await JsonAsync(registered);
        Assert.Equal(email, account.GetProperty("email").GetString());
        Assert.Equal("New Person", account.GetProperty("displayName").GetString());
        Assert.True(Guid.TryParse(account.GetProperty("id").GetString(), out _));
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        var body = await JsonAsync(token);
        Assert.Equal("Bearer", body.GetProperty("tokenType").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("accessToken").GetString()));
        Assert.True(body.GetProperty("expiresIn").GetInt64() > 0);
    }

    [Fact]
    public async Task An_address_registers_once_whatever_its_case()
    {
        using var client = App.CreateClient();
        var email = $"twice-{Guid.NewGuid():N}@test.local";
        await client.PostAsJsonAsync("/api/auth/register", new { email, password = "long enough", displayName = "First" });

        var again = await client.PostAsJsonAsync("/api/auth/register", new { email = email.ToUpperInvariant(), password = "other password", displayName = "Second" });

        await AssertProblemAsync(again, HttpStatusCode.Conflict, "E-mail already registered");
    }

    [Theory]
    [InlineData("""{"email":"not-an-address","password":"long enough","displayName":"X"}""", "email")]
    [InlineData("""{"email":"short@test.local","password":"short","displayName":"X"}""", "password")]
    [InlineData("""{"email":"noname@test.local","password":"long enough"}""", "displayName")]
    [InlineData("""{"email":"blank@test.local","password":"long enough","displayName":"   "}""", "displayName")]
    public async Task Bad_registrations_are_400_problems_naming_the_field(string body, string field)
    {
        using var client = App.CreateClient();

        var response = await client.PostAsync("/api/auth/register", RawJson(body));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Oversized_and_malformed_registrations_are_400_problems_and_write_nothing()
    {
        using var client = App.CreateClient();
        var email = $"huge-{Guid.NewGuid():N}@test.local";

        var oversized = await client.PostAsJsonAsync("/api/auth/register", new { email, password = "long enough", displayName = new string('x', 101) });
        var malformed = await client.PostAsync("/api/auth/register", RawJson("""{"email": "a@b.c", "password": """));
        var wrongTypes = await client.PostAsync("/api/auth/register", RawJson("""{"email": 42, "password": [], "displayName": {}}"""));

        await AssertProblemAsync(oversized, HttpStatusCode.BadRequest);
        await AssertProblemAsync(malformed, HttpStatusCode.BadRequest);
        await AssertProblemAsync(wrongTypes, HttpStatusCode.BadRequest);
        var token = await client.PostAsJsonAsync("/api/auth/token", new { email, password = "long enough" });
        await AssertProblemAsync(token, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_wrong_password_or_unknown_address_is_a_401_problem()
    {
        var (_, _) = await App.SignedInClientAsync("known@test.local");
        using var client = App.CreateClient();

        var wrongPassword = await client.PostAsJsonAsync("/api/auth/token", new { email = "known@test.local", password = "not the password" });
        var unknown = await client.PostAsJsonAsync("/api/auth/token", new { email = "nobody@test.local", password = "whatever it is" });

        await AssertProblemAsync(wrongPassword, HttpStatusCode.Unauthorized, "Sign-in failed");
        await AssertProblemAsync(unknown, HttpStatusCode.Unauthorized, "Sign-in failed");
    }

    [Fact]
    public async Task A_forged_token_is_refused()
    {
        using var client = App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "forged.token.value");

        var response = await client.GetAsync("/api/me/enrollments");

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }
}

/// <summary>Sign-in attempts are limited per client address, so guessing passwords gets slow.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SignInRateLimitTests(PostgresFixture database) : ApiTestBase(database)
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Enrollment:SignInAttemptsPerMinute"] = "3",
    };

    [Fact]
    public async Task Too_many_sign_in_attempts_are_answered_429()
    {
        using var client = App.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var response = await client.PostAsJsonAsync("/api/auth/token", new { email = "guess@test.local", password = $"guess number {attempt}" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await AssertProblemAsync(response, HttpStatusCode.TooManyRequests);
            }
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }
}
