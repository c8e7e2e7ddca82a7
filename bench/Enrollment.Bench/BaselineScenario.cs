using Npgsql;

namespace OrleansEnrollment.Bench;

/// <summary>The original algorithm (<see cref="BaselineEnroller"/>) with every client on one hot event.</summary>
public static class BaselineScenario
{
    // Left free under max_connections for the bench's own pool and for anyone inspecting the server meanwhile.
    private const int ConnectionHeadroom = 20;

    public static async Task<ScenarioRun> RunAsync(BenchDatabase database, BenchOptions options)
    {
        var maxConnections = await database.MaxConnectionsAsync();
        var poolSize = Math.Max(1, Math.Min(options.Clients, maxConnections - ConnectionHeadroom));
        if (poolSize < options.Clients)
        {
            Console.WriteLine(
                $"  baseline: connection pool capped at {poolSize} (the server allows {maxConnections}); " +
                $"the other {options.Clients - poolSize} clients queue on the pool, as they would in a real deployment");
        }

        var eventId = await database.CreateEventAsync("bench: baseline hot event", options.Capacity);
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            MaxPoolSize = poolSize,
            // Clients wait for a pooled connection and then for the row lock: both waits are the load, not a fault.
            Timeout = 300,
            CommandTimeout = 300,
        }.ConnectionString;

        LoadResult result;
        // Disposed before the other scenarios, so its connections are closed and do not count against theirs.
        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        {
            var enroller = new BaselineEnroller(dataSource);
            result = await LoadRunner.RunAsync(
                BenchOptions.Baseline, options.Clients, options.WarmupRequestsFor(BenchOptions.Baseline), options.RequestsFor(BenchOptions.Baseline), options.Duration,
                _ => enroller.EnrollAsync(eventId, Guid.NewGuid()));
        }

        // The original writes no outbox, so there is nothing to wait for.
        return await Checks.AfterLoadAsync(database, BenchOptions.Baseline, [eventId], result, hasOutbox: false);
    }
}
