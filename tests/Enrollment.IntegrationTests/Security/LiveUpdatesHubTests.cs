using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using OrleansEnrollment.Tests.Infrastructure;
using OrleansEnrollment.Tests.Web;

namespace OrleansEnrollment.Tests.Security;

/// <summary>
/// The live-update hub (<c>/hubs/enrollment</c>) is for signed-in people on this site: anonymous connections are refused,
/// and so is a page on another site riding a visitor's cookie (a WebSocket is not bound by the same-origin policy).
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class LiveUpdatesHubTests(PostgresFixture database) : ApiTestBase(database)
{
    private const string Negotiate = "/hubs/enrollment/negotiate?negotiateVersion=1";

    [Fact]
    public async Task An_anonymous_visitor_cannot_connect()
    {
        using var anonymous = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var answer = await anonymous.PostAsync(Negotiate, null);
        Assert.True(answer.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Found, $"{answer.StatusCode}");
        Assert.DoesNotContain("connectionToken", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_signed_in_page_of_this_site_connects_and_one_of_another_site_does_not()
    {
        var (api, _) = await App.SignedInClientAsync();
        var email = (await JsonAsync(await api.GetAsync("/api/me"))).GetProperty("email").GetString()!;
        using var browser = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await PageSession.SignInAsync(browser, email);

        using var sameSite = new HttpRequestMessage(HttpMethod.Post, Negotiate);
        sameSite.Headers.Add("Origin", browser.BaseAddress!.GetLeftPart(UriPartial.Authority));
        var connected = await browser.SendAsync(sameSite);
        Assert.Equal(HttpStatusCode.OK, connected.StatusCode);
        Assert.Contains("connectionToken", await connected.Content.ReadAsStringAsync());

        using var crossSite = new HttpRequestMessage(HttpMethod.Post, Negotiate);
        crossSite.Headers.Add("Origin", "https://evil.example");
        var refused = await browser.SendAsync(crossSite);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
