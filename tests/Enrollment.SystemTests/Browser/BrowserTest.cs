using Microsoft.Playwright;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Browser;

/// <summary>
/// A test against the whole running system: the web frontend on Kestrel (co-hosted silo, real PostgreSQL) and a real
/// browser. Every test gets a fresh app; its visitors' browser contexts are closed with it.
/// </summary>
public abstract class BrowserTest(PostgresFixture database, ChromiumFixture chromium) : IAsyncLifetime
{
    private readonly List<IBrowserContext> visitors = [];

    protected PostgresFixture Database => database;

    protected WebAppFactory App { get; private set; } = null!;

    protected Uri Site { get; private set; } = null!;

    public Task InitializeAsync()
    {
        App = new WebAppFactory(database.ConnectionString);
        Site = App.UseRealServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var visitor in visitors)
        {
            await visitor.DisposeAsync();
        }

        await App.DisposeAsync();
    }

    /// <summary>A page in a new browser context: someone who has not signed in yet.</summary>
    /// <param name="timeZone">The IANA zone the visitor's browser is in; null for the machine's.</param>
    protected async Task<IPage> NewVisitorAsync(string? timeZone = null)
    {
        var visitor = await chromium.NewVisitorAsync(Site, timeZone);
        visitors.Add(visitor);
        return await visitor.NewPageAsync();
    }

    protected static string NewEmail() => $"user-{Guid.NewGuid():N}@test.local";

    /// <summary>A page signed in as the configured admin (the account is made through the API first).</summary>
    protected async Task<IPage> NewAdminAsync()
    {
        (await App.SignedInAdminAsync()).Client.Dispose();
        var page = await NewVisitorAsync();
        await page.SignInThroughFormAsync(WebAppFactory.AdminEmail);
        return page;
    }

    /// <summary>A registered, signed-in person with a page of their own.</summary>
    protected async Task<IPage> NewMemberAsync(string displayName, string? timeZone = null)
    {
        var page = await NewVisitorAsync(timeZone);
        await page.RegisterThroughFormAsync(NewEmail(), displayName);
        return page;
    }

    /// <summary>An event a few days out; events listed by start time put the earliest first.</summary>
    protected Task<EventInfo> CreateEventAsync(string title, int? capacity, bool hasWaitlist, double daysAhead = 7) =>
        CreateEventAsync(title, new EnrollmentPolicy(capacity, hasWaitlist), daysAhead);

    protected Task<EventInfo> CreateEventAsync(string title, EnrollmentPolicy policy, double daysAhead = 7) =>
        database.Catalog.CreateAsync(title, DateTimeOffset.UtcNow.Date.AddDays(daysAhead).AddHours(18), policy);

    /// <summary>Someone else takes a place first, through the HTTP API.</summary>
    protected async Task EnrollThroughApiAsync(Guid eventId, string displayName)
    {
        var (client, _) = await App.SignedInClientAsync(displayName: displayName);
        using (client)
        {
            var response = await client.PostAsync($"/api/events/{eventId}/enrollments", null);
            response.EnsureSuccessStatusCode();
        }
    }
}
