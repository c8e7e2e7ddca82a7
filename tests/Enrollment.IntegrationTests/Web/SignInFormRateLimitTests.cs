using System.Net;
using System.Net.Http.Json;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Web;

/// <summary>Only sign-in and registration attempts count against the limit, and a refused page attempt reads as a page.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SignInFormRateLimitTests(PostgresFixture database) : ApiTestBase(database)
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Enrollment:SignIn:AttemptsPerMinutePerNetwork"] = "3",
    };

    [Fact]
    public async Task Opening_the_forms_is_free_and_a_refused_form_post_is_a_429_page()
    {
        using var client = App.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account/signin")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account/register")).StatusCode);
        }

        for (var attempt = 0; attempt < 3; attempt++)
        {
            var guess = await client.PostAsJsonAsync("/api/auth/token", new { email = "guess@test.local", password = $"guess {attempt}" });
            Assert.Equal(HttpStatusCode.Unauthorized, guess.StatusCode);
        }

        await AssertProblemAsync(
            await client.PostAsJsonAsync("/api/auth/token", new { email = "guess@test.local", password = "one more" }),
            HttpStatusCode.TooManyRequests);
        var page = await client.PostAsync(
            "/account/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["Email"] = "guess@test.local", ["Password"] = "x" }));
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Too many attempts", await page.Content.ReadAsStringAsync());
    }
}
