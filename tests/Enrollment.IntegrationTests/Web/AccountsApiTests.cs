using System.Net;
using System.Net.Http.Json;
using OrleansEnrollment.Tests.Infrastructure;
using OrleansEnrollment.WebFrontend.Api;

namespace OrleansEnrollment.Tests.Web;

[Collection(DatabaseCollection.Name)]
public sealed class AccountsApiTests(PostgresFixture database) : ApiTestBase(database)
{
    [Fact]
    public async Task Registering_mails_a_confirmation_link_and_the_confirmed_account_gets_a_bearer_token()
    {
        using var client = App.CreateClient();
        var email = $"new-{Guid.NewGuid():N}@test.local";

        var registered = await client.PostAsJsonAsync("/api/auth/register", new { email, password = "long enough", displayName = "New Person" });
        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        Assert.Equal(AccountsApi.CheckYourInbox, (await JsonAsync(registered)).GetProperty("message").GetString());
        var mail = await App.Mail.WaitForMailAsync(email);
        Assert.Equal("Confirm your e-mail address", mail.Subject);
        Assert.StartsWith(WebAppFactory.PublicBaseUrl + "/account/confirm?token=", TestMailServer.LinkIn(mail).ToString());
        var confirmed = await client.PostAsJsonAsync("/api/auth/confirm", new { token = WebAppFactory.TokenIn(mail) });
        var token = await client.PostAsJsonAsync("/api/auth/token", new { email = email.ToUpperInvariant(), password = "long enough" });

        Assert.Equal(HttpStatusCode.NoContent, confirmed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        var body = await JsonAsync(token);
        Assert.Equal("Bearer", body.GetProperty("tokenType").GetString());
        Assert.True(body.GetProperty("expiresIn").GetInt64() > 0);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", body.GetProperty("accessToken").GetString());
        var me = await JsonAsync(await client.GetAsync("/api/me"));
        Assert.Equal(email, me.GetProperty("email").GetString());
        Assert.Equal("New Person", me.GetProperty("displayName").GetString());
        Assert.True(me.GetProperty("emailConfirmed").GetBoolean());
        Assert.False(me.GetProperty("isAdmin").GetBoolean());

        // a link works once
        var again = await client.PostAsJsonAsync("/api/auth/confirm", new { token = WebAppFactory.TokenIn(mail) });
        await AssertProblemAsync(again, HttpStatusCode.BadRequest, "The link is not valid");
    }

    [Fact]
    public async Task Registering_a_taken_address_answers_the_same_and_tells_its_owner_instead()
    {
        using var client = App.CreateClient();
        var email = $"twice-{Guid.NewGuid():N}@test.local";
        var first = await client.PostAsJsonAsync("/api/auth/register", new { email, password = "long enough", displayName = "First" });
        await App.Mail.WaitForMailAsync(email);

        var again = await client.PostAsJsonAsync("/api/auth/register", new { email = email.ToUpperInvariant(), password = "other password", displayName = "Second" });

        Assert.Equal(first.StatusCode, again.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        var notice = await App.Mail.WaitForMailAsync(email, count: 2);
        Assert.Equal("Someone tried to register with your address", notice.Subject);
        await using var count = Database.DataSource.CreateCommand("SELECT count(*) FROM users WHERE lower(email) = lower($1)");
        count.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = email });
        Assert.Equal(1L, await count.ExecuteScalarAsync());
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
        ["Enrollment:SignIn:AttemptsPerMinutePerNetwork"] = "3",
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
