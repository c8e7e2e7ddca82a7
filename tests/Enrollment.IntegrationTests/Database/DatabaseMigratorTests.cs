using Npgsql;
using OrleansEnrollment.Database;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Database;

[Collection(DatabaseCollection.Name)]
public sealed class DatabaseMigratorTests(PostgresFixture database)
{
    [Fact]
    public void Migrations_are_numbered_once_each_in_order()
    {
        var versions = DatabaseMigrator.Migrations().Select(migration => migration.Version).ToList();

        // A gap is allowed: branches worked on side by side reserve numbers (0010 came before 0009), and the migrator
        // applies whatever a database has not recorded yet, so a late lower number still runs. A repeat is not.
        Assert.Equal(1, versions[0]);
        Assert.Equal(versions.Distinct().Order(), versions);
    }

    [Fact]
    public async Task Hosts_starting_together_apply_each_migration_once()
    {
        // a fresh database on the same server, so the migrations really run here
        var name = "migrate_" + Guid.NewGuid().ToString("N")[..12];
        await using (var create = database.DataSource.CreateCommand($"CREATE DATABASE {name}"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Database = name }.ConnectionString;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => DatabaseMigrator.MigrateAsync(connectionString)));
        await DatabaseMigrator.MigrateAsync(connectionString);

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var applied = dataSource.CreateCommand("SELECT count(*), count(DISTINCT version) FROM schema_migrations");
        await using var reader = await applied.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(DatabaseMigrator.Migrations().Count, reader.GetInt64(0));
        Assert.Equal(reader.GetInt64(0), reader.GetInt64(1));
    }
}
