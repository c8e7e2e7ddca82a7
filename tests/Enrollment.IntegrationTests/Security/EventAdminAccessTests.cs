using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using OrleansEnrollment.Tests.Infrastructure;
using OrleansEnrollment.Tests.Web;

namespace OrleansEnrollment.Tests.Security;

/// <summary>
/// The routes that edit, open, close, delete and export an event are the admin's alone, on a real event: a caller
/// without a token gets a 401 and a signed-in member a 403, and neither changes or reads anything. The pages' copies
/// (the CSV download and the check-in list, on the session cookie) send a visitor to sign in and a member to the denied page.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class EventAdminAccessTests(PostgresFixture database) : ApiTestBase(database)
{
    public static TheoryData<string, string> ApiRoutes => new()
    {
        { "PUT", "/api/admin/events/{0}" },
        { "POST", "/api/admin/events/{0}/close" },
        { "POST", "/api/admin/events/{0}/open" },
        { "DELETE", "/api/admin/events/{0}" },
        { "GET", "/api/admin/events/{0}/enrollments.csv" },
    };

    [Theory]
    [MemberData(nameof(ApiRoutes))]
    public async Task Anonymous_callers_get_401_and_members_403_and_the_event_is_untouched(string method, string route)
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 3, hasWaitlist: false, title: "Guarded event");
        var before = await Database.Catalog.FindAsync(Guid.Parse(eventId));
        var (member, _) = await App.SignedInClientAsync();
        using var anonymous = App.CreateClient();
        HttpRequestMessage Request() => new(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, route, eventId))
        {
            Content = method == "PUT" ? JsonContent.Create(new { title = "Taken over" }) : null,
        };

        await AssertProblemAsync(await anonymous.SendAsync(Request()), HttpStatusCode.Unauthorized);
        await AssertProblemAsync(await member.SendAsync(Request()), HttpStatusCode.Forbidden);

        Assert.Equal(before, await Database.Catalog.FindAsync(Guid.Parse(eventId)));
    }

    [Theory]
    [InlineData("/admin/events/{0}/enrollments.csv")]
    [InlineData("/admin/events/{0}/check-in-list")]
    public async Task The_pages_send_visitors_to_sign_in_and_members_to_the_denied_page(string route)
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 3, hasWaitlist: false);
        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, route, eventId);
        var noRedirects = new WebApplicationFactoryClientOptions { AllowAutoRedirect = false };
        using var visitor = App.CreateClient(noRedirects);
        using var memberBrowser = App.CreateClient(noRedirects);
        var (member, _) = await App.SignedInClientAsync();
        await PageSession.SignInAsync(memberBrowser, (await JsonAsync(await member.GetAsync("/api/me"))).GetProperty("email").GetString()!);
        using var adminBrowser = App.CreateClient(noRedirects);
        await PageSession.SignInAsync(adminBrowser, WebAppFactory.AdminEmail);

        var anonymous = await visitor.GetAsync(path);
        var denied = await memberBrowser.GetAsync(path);
        var allowed = await adminBrowser.GetAsync(path);
        // a member's bearer token is no way in either: the token is theirs, the role is not
        var withToken = await member.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/account/signin", anonymous.Headers.Location?.PathAndQuery, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/account/denied", denied.Headers.Location?.PathAndQuery, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, withToken.StatusCode);
    }
}
