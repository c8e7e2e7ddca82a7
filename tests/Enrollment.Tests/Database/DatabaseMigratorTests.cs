using Npgsql;
using OrleansEnrollment.Database;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Database;

[Collection(DatabaseCollection.Name)]
public sealed class DatabaseMigratorTests(PostgresFixture database)
{
    [Fact]
    public void Migrations_are_numbered_without_gaps()
    {
        var versions = DatabaseMigrator.Migrations().Select(migration => migration.Version).ToList();

        Assert.Equal(Enumerable.Range(1, versions.Count), versions);
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
