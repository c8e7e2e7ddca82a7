using Npgsql;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Database;
using OrleansEnrollment.Database.LocalServer;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>
/// One real PostgreSQL for the whole suite: the server named by <c>ENROLLMENT_TEST_CONNECTION</c>, or a private one
/// started from the machine's binaries (non-durable, for speed) in a fresh folder. Migrated once; every test
/// creates its own events, so tests never see each other's rows.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string ConnectionVariable = "ENROLLMENT_TEST_CONNECTION";

    private LocalPostgresServer? server;
    private string? dataDirectory;
    private WebAppFactory? sharedWebApp;

    public string ConnectionString { get; private set; } = "";

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public EventCatalog Catalog { get; private set; } = null!;

    public EnrollmentQueries Queries { get; private set; } = null!;

    public PostgresEnrollmentStore Store { get; private set; } = null!;

    /// <summary>
    /// One web frontend on this database for the API tests that need no special settings: starting one per test would
    /// cost a silo start each time. Tests keep to their own accounts and events, so sharing it is safe.
    /// </summary>
    public WebAppFactory SharedWebApp => sharedWebApp ??= new WebAppFactory(ConnectionString);

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            dataDirectory = Path.Combine(Path.GetTempPath(), "orleans-enrollment-tests", Guid.NewGuid().ToString("N")[..12], "pg");
            server = await LocalPostgresServer.StartAsync(new LocalPostgresOptions { DataDirectory = dataDirectory, Durable = false });
            configured = server.ConnectionString;
        }

        ConnectionString = configured;
        await DatabaseMigrator.MigrateAsync(ConnectionString);
        DataSource = NpgsqlDataSource.Create(ConnectionString);
        Catalog = new EventCatalog(DataSource);
        Queries = new EnrollmentQueries(DataSource);
        Store = new PostgresEnrollmentStore(DataSource);
    }

    public async Task DisposeAsync()
    {
        if (sharedWebApp is not null)
        {
            await sharedWebApp.DisposeAsync();
        }

        if (DataSource is not null)
        {
            await DataSource.DisposeAsync();
        }

        if (server is not null)
        {
            await server.DisposeAsync();
            TryDelete(server.DataDirectory);
        }
    }

    /// <summary>An enrollment's status as stored, read without any grain (so reading it wakes nothing); null when there is no such row.</summary>
    public async Task<string?> StatusOfAsync(Guid enrollmentId)
    {
        await using var command = DataSource.CreateCommand("SELECT status FROM enrollments WHERE id = $1");
        command.Parameters.Add(new Npgsql.NpgsqlParameter<Guid> { TypedValue = enrollmentId });
        return (string?)await command.ExecuteScalarAsync();
    }

    public Task<EventInfo> CreateEventAsync(int? capacity, bool hasWaitlist, string title = "Test event") =>
        Catalog.CreateAsync(title, DateTimeOffset.UtcNow.AddDays(7), new EnrollmentPolicy(capacity, hasWaitlist));

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(Path.GetDirectoryName(directory) ?? directory, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp folder is harmless
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>
/// The collection every test that touches PostgreSQL or a cluster runs in: sequentially, on one server, so the heavy
/// concurrency tests have the machine's two cores to themselves. Each test project defines it once
/// (xunit looks for the definition in the test's own assembly): <c>DatabaseCollectionDefinition</c>.
/// </summary>
public static class DatabaseCollection
{
    public const string Name = "database";
}
