using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace OrleansEnrollment.Database;

/// <summary>
/// Applies the numbered SQL files under <c>Database/Migrations</c> (embedded in this assembly) that the database
/// has not seen yet, in order, in one transaction. An advisory lock makes silos that start together take turns,
/// so each migration runs exactly once.
/// </summary>
public static class DatabaseMigrator
{
    // Any constant works; it only has to be the same for every process migrating this schema.
    private const long MigrationLockKey = 0x0E_2011_0E_2026;

    public static async Task MigrateAsync(string connectionString, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLockKey})", cancellationToken);
        await ExecuteAsync(connection, transaction,
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer     PRIMARY KEY,
                name       text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, cancellationToken);

        var applied = new HashSet<int>();
        await using (var command = new NpgsqlCommand("SELECT version FROM schema_migrations", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        foreach (var migration in Migrations().Where(migration => !applied.Contains(migration.Version)))
        {
            logger?.LogInformation("Applying migration {Version:D4} {Name}", migration.Version, migration.Name);
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            await using var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES (@version, @name)", connection, transaction);
            record.Parameters.AddWithValue("version", migration.Version);
            record.Parameters.AddWithValue("name", migration.Name);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The embedded migrations, ordered by the number their file name starts with.</summary>
    public static IReadOnlyList<Migration> Migrations()
    {
        var assembly = typeof(DatabaseMigrator).Assembly;
        const string prefix = "Migrations.";
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name =>
            {
                var fileName = name[prefix.Length..^".sql".Length];
                var separator = fileName.IndexOf('_');
                if (separator <= 0 || !int.TryParse(fileName[..separator], out var version))
                {
                    throw new InvalidOperationException($"Migration '{name}' must be named NNNN_what_it_does.sql.");
                }

                return new Migration(version, fileName[(separator + 1)..], ReadResource(assembly, name));
            })
            .OrderBy(migration => migration.Version)
            .ToList();
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public sealed record Migration(int Version, string Name, string Sql);
}
