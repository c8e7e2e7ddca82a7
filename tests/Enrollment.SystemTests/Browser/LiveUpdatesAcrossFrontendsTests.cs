using System.Diagnostics;
using Microsoft.Playwright;
using Npgsql;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansEnrollment.Tests.Browser;

/// <summary>
/// Two web frontends, each co-hosting a silo of one cluster (joined through the membership table, a fresh ClusterId):
/// a person watching an event through one frontend sees a change made through the other, whichever silo hosts the
/// event's grains.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class LiveUpdatesAcrossFrontendsTests(PostgresFixture database, ChromiumFixture chromium, ITestOutputHelper output)
    : IClassFixture<ChromiumFixture>, IAsyncLifetime
{
    private readonly string clusterId = $"live-{Guid.NewGuid():N}"[..17];
    private readonly List<IBrowserContext> visitors = [];
    private WebAppFactory first = null!;
    private WebAppFactory second = null!;

    public Task InitializeAsync()
    {
        var cluster = new Dictionary<string, string?>
        {
            ["Orleans:ClusteringProvider"] = "AdoNet",
            ["Orleans:ClusterId"] = clusterId,
            ["Orleans:AdvertisedIPAddress"] = "127.0.0.1",
        };
        first = new WebAppFactory(database.ConnectionString, cluster);
        first.UseRealServer();
        second = new WebAppFactory(database.ConnectionString, cluster);
        second.UseRealServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var visitor in visitors)
        {
            await visitor.DisposeAsync();
        }

        await second.DisposeAsync();
        await first.DisposeAsync();
        await using var cleanup = database.DataSource.CreateCommand("DELETE FROM orleans_membership_versions WHERE cluster_id = $1");
        cleanup.Parameters.Add(new NpgsqlParameter<string> { TypedValue = clusterId });
        await cleanup.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_position_changes_on_one_frontend_when_the_person_ahead_cancels_through_the_other()
    {
        var talk = await database.Catalog.CreateAsync(
            "Live across frontends", DateTimeOffset.UtcNow.Date.AddDays(5).AddHours(18), new EnrollmentPolicy(1, true));
        await EnrollAsync(first, talk.Id, "Ada Lovelace");
        var ahead = await NewMemberAsync(first, "Grace Hopper");
        await Expect(await ahead.EnrollThroughPageAsync(talk.Id)).ToHaveTextAsync("You are on the waitlist (position 1)");
        var behind = await NewMemberAsync(second, "Linus Torvalds");
        var status = await behind.EnrollThroughPageAsync(talk.Id);
        await Expect(status).ToHaveTextAsync("You are on the waitlist (position 2)");
        await behind.WaitUntilLiveAsync();

        await ahead.GotoAsync($"/app/events/{talk.Id}");
        var clock = Stopwatch.StartNew();
        await ahead.GetByRole(AriaRole.Button, new() { Name = "Cancel my enrollment", Exact = true }).ClickAsync();
        await Expect(ahead.GetByTestId("enrollment-status")).ToHaveTextAsync("Your enrollment was cancelled");
        var committed = clock.Elapsed;

        await Expect(status).ToHaveTextAsync("You are on the waitlist (position 1)");
        var onScreen = clock.Elapsed;
        var decisionToScreen = await behind.DecisionToScreenAsync(database.DataSource, talk.Id);
        output.WriteLine($"cancelled through frontend 1, answered after {committed.TotalMilliseconds:0} ms; position 1 on frontend 2's " +
            $"page {(onScreen - committed).TotalMilliseconds:0} ms after the answer, {decisionToScreen.TotalMilliseconds:0} ms after the decision");
        await behind.AssertNotReloadedAsync();
        Assert.Equal(2, await ActiveSilosAsync());
    }

    private async Task<IPage> NewMemberAsync(WebAppFactory app, string displayName)
    {
        var visitor = await chromium.NewVisitorAsync(app.ClientOptions.BaseAddress);
        visitors.Add(visitor);
        var page = await visitor.NewPageAsync();
        await page.RegisterThroughFormAsync($"user-{Guid.NewGuid():N}@test.local", displayName);
        return page;
    }

    private static async Task EnrollAsync(WebAppFactory app, Guid eventId, string displayName)
    {
        var (client, _) = await app.SignedInClientAsync(displayName: displayName);
        using (client)
        {
            (await client.PostAsync($"/api/events/{eventId}/enrollments", null)).EnsureSuccessStatusCode();
        }
    }

    private async Task<long> ActiveSilosAsync()
    {
        await using var command = database.DataSource.CreateCommand("SELECT count(*) FROM orleans_silos WHERE cluster_id = $1 AND status = 3");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = clusterId });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
