using System.Net;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Web;

/// <summary>Pages answer an error status with a readable page in the site layout; the API keeps problem details.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class StatusPagesTests(PostgresFixture database) : ApiTestBase(database)
{
    [Fact]
    public async Task An_unknown_page_is_a_404_page_saying_what_happened_and_what_to_do()
    {
        using var client = App.CreateClient();

        var response = await client.GetAsync("/no/such/page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Page not found", html);
        Assert.Contains("Start again from the events", html);
        Assert.Contains("Orleans Enrollment", html); // the site layout, with its navigation
    }

    [Fact]
    public async Task An_unknown_api_route_is_a_404_problem()
    {
        using var client = App.CreateClient();

        await AssertProblemAsync(await client.GetAsync("/api/no/such/route"), HttpStatusCode.NotFound);
    }
}
