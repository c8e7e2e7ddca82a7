using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using OrleansEnrollment.Tests.Infrastructure;
using OrleansEnrollment.Tests.Web;

namespace OrleansEnrollment.Tests.Security;

/// <summary>
/// Finding 5 (medium): <c>/api</c> took the sign-in cookie with no antiforgery check, so a page on another site could
/// post a form that enrolled, cancelled or (against an admin) cancelled or promoted anyone. The API now takes bearer
/// tokens only: a form posted with the browser's cookie is a 401 and changes nothing.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class CrossSiteRequestTests(PostgresFixture database) : ApiTestBase(database)
{
    [Fact]
    public async Task A_cross_site_form_riding_a_signed_in_cookie_cannot_enroll_cancel_or_act_as_admin()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 5, hasWaitlist: true);
        var (victim, _) = await App.SignedInClientAsync();
        var enrolled = await JsonAsync(await victim.PostAsync($"/api/events/{eventId}/enrollments", null));
        var enrollmentId = enrolled.GetProperty("id").GetString();

        // the victim's and the admin's browsers hold session cookies
        using var victimBrowser = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await PageSession.SignInAsync(victimBrowser, await EmailOfAsync(victim));
        using var adminBrowser = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await PageSession.SignInAsync(adminBrowser, WebAppFactory.AdminEmail);

        foreach (var (browser, path) in new[]
                 {
                     (victimBrowser, $"/api/events/{eventId}/enrollments"),
                     (adminBrowser, $"/api/admin/events/{eventId}/enrollments/{enrollmentId}/cancel"),
                     (adminBrowser, $"/api/admin/events/{eventId}/enrollments/{enrollmentId}/promote"),
                 })
        {
            // what evil.example's auto-submitting form sends: a form body and the cookie. Refused as unauthenticated, or
            // as no JSON where the endpoint takes a body: either way before anything runs.
            using var form = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent([]) };
            form.Headers.Add("Origin", "https://evil.example");
            var formAnswer = await browser.SendAsync(form);
            Assert.True(formAnswer.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.UnsupportedMediaType, $"{path}: {formAnswer.StatusCode}");

            // what a script on a same-site page could send: JSON and the cookie; the API does not take the cookie at all
            using var json = new HttpRequestMessage(HttpMethod.Post, path) { Content = RawJson("{}") };
            await AssertProblemAsync(await browser.SendAsync(json), HttpStatusCode.Unauthorized);
        }

        using var cancel = new HttpRequestMessage(HttpMethod.Delete, $"/api/events/{eventId}/enrollments/me");
        await AssertProblemAsync(await victimBrowser.SendAsync(cancel), HttpStatusCode.Unauthorized);
        var stored = Assert.Single(await Database.Queries.ListAsync(Guid.Parse(eventId)));
        Assert.Equal(OrleansEnrollment.Enrollments.EnrollmentStatus.Confirmed, stored.Status);
    }

    private static async Task<string> EmailOfAsync(HttpClient client) =>
        (await JsonAsync(await client.GetAsync("/api/me"))).GetProperty("email").GetString()!;
}
