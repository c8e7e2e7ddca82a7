using Microsoft.Extensions.Logging;
using Npgsql;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Database;
using OrleansEnrollment.Database.LocalServer;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Notifications;

namespace OrleansEnrollment.Bench;

/// <summary>
/// The one PostgreSQL every scenario runs on: a private, durable server in a fresh temp folder (deleted afterwards),
/// or an existing server. Migrated before use. Its own small pool serves set-up and checks, never the load.
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly LocalPostgresServer? server;
    private readonly string? tempRoot;

    private BenchDatabase(string connectionString, LocalPostgresServer? server, string? tempRoot)
    {
        ConnectionString = connectionString;
        this.server = server;
        this.tempRoot = tempRoot;
        DataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 8 }.ConnectionString);
        Catalog = new EventCatalog(DataSource);
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public EventCatalog Catalog { get; }

    /// <summary>Where the server runs, for the report.</summary>
    public string Description => server is null ? "an existing server (--connection)" : $"a private durable PostgreSQL in {server.DataDirectory}";

    public static async Task<BenchDatabase> OpenAsync(string? connectionString, ILogger logger)
    {
        LocalPostgresServer? server = null;
        string? tempRoot = null;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            tempRoot = Path.Combine(Path.GetTempPath(), "orleans-enrollment-bench", Guid.NewGuid().ToString("N")[..12]);
            // Durable: the figures must include the fsync of every commit, as a real deployment pays it.
            server = await LocalPostgresServer.StartAsync(
                new LocalPostgresOptions { DataDirectory = Path.Combine(tempRoot, "pg"), Durable = true }, logger);
            connectionString = server.ConnectionString;
        }

        var database = new BenchDatabase(connectionString, server, tempRoot);
        try
        {
            await DatabaseMigrator.MigrateAsync(connectionString, logger);
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    public async Task<Guid> CreateEventAsync(string title, int capacity, bool hasWaitlist = true) =>
        (await Catalog.CreateAsync(title, DateTimeOffset.UtcNow.AddDays(30), new EnrollmentPolicy(capacity, hasWaitlist))).Id;

    public async Task<int> MaxConnectionsAsync()
    {
        await using var command = DataSource.CreateCommand("SELECT current_setting('max_connections')::int");
        return (int)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Vacuums and analyzes the tables an enrollment writes, so the scenarios after one that wrote many rows do not pay
    /// for its dead row versions: every dispatch mark leaves one behind, and the outbox relay's poll (each second, in
    /// every silo) walks the undispatched index's entries for them until a vacuum removes them. Returns how long it took.
    /// </summary>
    public async Task<TimeSpan> VacuumAsync()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        await using var command = DataSource.CreateCommand(
            "VACUUM (ANALYZE) enrollments, enrollment_transitions, enrollment_policies, outbox, inbox, notifications");
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync();
        return started.Elapsed;
    }

    /// <summary>
    /// Waits until every domain event of these events is on the bus and has its notification: the work a commit
    /// leaves for after the answer. Returns how long that took, or null if it did not finish in time.
    /// </summary>
    public async Task<TimeSpan?> WaitUntilSettledAsync(IReadOnlyCollection<Guid> eventIds, TimeSpan timeout)
    {
        var started = DateTime.UtcNow;
        while (DateTime.UtcNow - started < timeout)
        {
            await using var command = DataSource.CreateCommand(
                """
                SELECT (SELECT count(*) FROM outbox_pending WHERE event_id = ANY($1)),
                       (SELECT count(*) FROM outbox WHERE event_id = ANY($1) AND type = ANY($2))
                     - (SELECT count(*) FROM notifications WHERE event_id = ANY($1))
                """);
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = eventIds.ToArray() });
            // check-ins and attendance are on the bus too, but nobody is notified of them
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = EnrollmentNotificationConsumer.HandledEventTypes.ToArray() });
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            if (reader.GetInt64(0) == 0 && reader.GetInt64(1) <= 0)
            {
                return DateTime.UtcNow - started;
            }

            await Task.Delay(100);
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        if (server is null)
        {
            return;
        }

        await server.DisposeAsync();
        // The server may have moved its data to a folder the postgres account can reach: remove that one too.
        foreach (var folder in new[] { Path.GetDirectoryName(server.DataDirectory), tempRoot }.Distinct())
        {
            TryDelete(folder);
        }
    }

    private static void TryDelete(string? folder)
    {
        try
        {
            if (folder is not null && Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A leftover temp folder costs disk space, not correctness.
            Console.WriteLine($"Could not delete {folder}: {exception.Message}");
        }
    }
}
