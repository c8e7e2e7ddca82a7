using Npgsql;
using OrleansEnrollment.Database;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>
/// A database of its own on the test server, migrated, for a test whose data must not reach the shared one (demo
/// accounts, say, which make every app outside Development refuse to start). Dropped afterwards.
/// </summary>
public sealed class IsolatedDatabase : IAsyncDisposable
{
    private readonly string adminConnection;
    private readonly string name;

    private IsolatedDatabase(string adminConnection, string name, string connectionString)
    {
        this.adminConnection = adminConnection;
        this.name = name;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<IsolatedDatabase> CreateAsync(PostgresFixture shared)
    {
        var name = "isolated_" + Guid.NewGuid().ToString("N")[..12];
        await using (var create = shared.DataSource.CreateCommand($"CREATE DATABASE {name}"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(shared.ConnectionString) { Database = name }.ConnectionString;
        await DatabaseMigrator.MigrateAsync(connectionString);
        return new IsolatedDatabase(shared.ConnectionString, name, connectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var dataSource = NpgsqlDataSource.Create(adminConnection);
        await using var drop = dataSource.CreateCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        await drop.ExecuteNonQueryAsync();
    }
}
