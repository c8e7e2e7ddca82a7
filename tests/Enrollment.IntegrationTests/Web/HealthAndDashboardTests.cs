using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Web;

/// <summary>The operator's endpoints: liveness and readiness for anyone, the Orleans Dashboard for admins only.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class HealthAndDashboardTests(PostgresFixture database) : ApiTestBase(database)
{
    [Fact]
    public async Task Liveness_is_200_for_anonymous_callers()
    {
        using var anonymous = App.CreateClient();

        var response = await anonymous.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", (await JsonAsync(response)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readiness_is_200_with_postgresql_the_bus_and_the_cluster_each_healthy()
    {
        var (admin, _) = await App.SignedInAdminAsync();

        var response = await admin.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        var checks = Checks(body);
        Assert.Equal("healthy", checks["postgresql"]);
        Assert.Equal("healthy", checks["orleans"]);
        Assert.Equal("healthy", Assert.Single(checks, check => check.Key.Contains("masstransit", StringComparison.OrdinalIgnoreCase)).Value);
        Assert.All(checks.Values, status => Assert.Equal("healthy", status));
    }

    [Fact]
    public async Task Readiness_is_503_naming_the_failing_check_while_liveness_stays_200()
    {
        await using var app = App.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.AddHealthChecks().AddCheck("injected", () => throw new InvalidOperationException("injected: host db-7.internal is down"), tags: ["ready"])));
        using var anonymous = app.CreateClient();
        await App.SignedInAdminAsync(); // the admin account exists and is confirmed (the database is shared)
        var token = await (await anonymous.PostAsJsonAsync("/api/auth/token", new { email = WebAppFactory.AdminEmail, password = WebAppFactory.Password }))
            .Content.ReadFromJsonAsync<JsonElement>();
        using var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());

        var ready = await anonymous.GetAsync("/health/ready");
        var live = await anonymous.GetAsync("/health");
        var detailed = await admin.GetAsync("/health/ready");

        // anyone learns the status, nothing more: no check names, no error messages
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var anonymousBody = await ready.Content.ReadAsStringAsync();
        Assert.Equal("""{"status":"unhealthy"}""", anonymousBody);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        // an admin sees which check failed and why
        Assert.Equal(HttpStatusCode.ServiceUnavailable, detailed.StatusCode);
        var body = await JsonAsync(detailed);
        Assert.Equal("unhealthy", body.GetProperty("status").GetString());
        Assert.Equal("unhealthy", Checks(body)["injected"]);
        Assert.Equal("healthy", Checks(body)["postgresql"]);
        Assert.Contains("db-7.internal", body.ToString());
    }

    [Fact]
    public async Task The_dashboard_sends_anonymous_visitors_to_sign_in()
    {
        using var anonymous = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await anonymous.GetAsync("/dashboard/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/signin", response.Headers.Location?.PathAndQuery, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_dashboard_refuses_signed_in_non_admins()
    {
        var (user, _) = await App.SignedInClientAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("/dashboard/")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("/dashboard/DashboardCounters")).StatusCode);
    }

    [Fact]
    public async Task Admins_get_the_dashboard_and_its_cluster_data()
    {
        var (admin, _) = await App.SignedInAdminAsync();

        var page = await admin.GetAsync("/dashboard");
        var counters = await admin.GetAsync("/dashboard/DashboardCounters");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, counters.StatusCode);
        Assert.Equal(JsonValueKind.Object, (await JsonAsync(counters)).ValueKind);
    }

    private static Dictionary<string, string?> Checks(JsonElement body) =>
        body.GetProperty("checks").EnumerateArray().ToDictionary(
            check => check.GetProperty("name").GetString()!, check => check.GetProperty("status").GetString());
}
