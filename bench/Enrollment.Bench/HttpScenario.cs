using System.Diagnostics;
using System.Globalization;

namespace OrleansEnrollment.Bench;

/// <summary>
/// End to end: the real web frontend in its own process, signed-in users with bearer tokens, one hot event. Adds
/// HTTP, authentication, JSON and the client-to-silo hop to what the hot scenario measures.
/// </summary>
public static class HttpScenario
{
    public static async Task<ScenarioRun> RunAsync(BenchDatabase database, BenchOptions options)
    {
        // The warm-up has an event of its own, so the timed event starts empty, as the baseline's does.
        var warmupEventId = await database.CreateEventAsync("bench: end-to-end warm-up event", options.Capacity);
        var eventId = await database.CreateEventAsync("bench: end-to-end hot event", options.Capacity);
        var warmup = options.WarmupRequestsFor(BenchOptions.Http);
        var requests = options.RequestsFor(BenchOptions.Http);

        await using var web = await WebFrontendProcess.StartAsync(database.ConnectionString);
        using var http = new HttpClient(new SocketsHttpHandler
        {
            // One connection per client, as many browsers or API callers would hold.
            MaxConnectionsPerServer = options.Clients,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        })
        {
            BaseAddress = web.BaseAddress,
            Timeout = TimeSpan.FromMinutes(5),
        };

        // Every request is a distinct user, so every request writes; the users (and tokens) exist before timing starts.
        var signingIn = Stopwatch.StartNew();
        var emails = await BenchUsers.CreateAsync(database.DataSource, warmup + requests);
        var tokens = await BenchUsers.SignInAsync(http, emails, options.Clients);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  http: {tokens.Length} users created and signed in ({signingIn.Elapsed.TotalSeconds:F1} s, not timed)"));

        var warmupEnroller = new HttpEnroller(http, warmupEventId);
        var enroller = new HttpEnroller(http, eventId);
        var result = await LoadRunner.RunAsync(
            BenchOptions.Http, options.Clients, warmup, requests, options.Duration,
            number => (number < warmup ? warmupEnroller : enroller).EnrollAsync(tokens[number]));
        // checked while the web frontend still runs, so its silo can finish the outbox
        return await Checks.AfterLoadAsync(database, BenchOptions.Http, [warmupEventId, eventId], result);
    }
}
