using Npgsql;
using OrleansEnrollment.Database.LocalServer;

namespace OrleansEnrollment.Tests.Database;

public sealed class LocalPostgresServerTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "local-pg-test-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task Starts_a_server_reuses_it_and_stops_it_only_from_the_instance_that_started_it()
    {
        var options = new LocalPostgresOptions { DataDirectory = Path.Combine(root, "pg"), Durable = false };

        var first = await LocalPostgresServer.StartAsync(options);
        LocalPostgresServer? second = null;
        try
        {
            Assert.True(first.OwnsServer);
            Assert.Contains("PostgreSQL", await QueryVersionAsync(first.ConnectionString));

            second = await LocalPostgresServer.StartAsync(options);
            Assert.False(second.OwnsServer);
            Assert.Equal(first.Port, second.Port);
            Assert.Equal(first.DataDirectory, second.DataDirectory);

            // The reusing instance must leave the server to its owner.
            await second.DisposeAsync();
            Assert.Contains("PostgreSQL", await QueryVersionAsync(first.ConnectionString));
        }
        finally
        {
            if (second is not null)
            {
                await second.DisposeAsync();
            }

            await first.DisposeAsync();
        }

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => QueryVersionAsync(first.ConnectionString));
    }

    [Fact]
    public void Default_data_directory_is_git_ignored_folder_in_the_checkout()
    {
        var directory = LocalPostgresServer.DefaultDataDirectory("silo");

        Assert.EndsWith(Path.Combine(".data", "silo", "pg"), directory);
        Assert.True(File.Exists(Path.Combine(directory, "..", "..", "..", "Orleans.Enrollment.sln")));
    }

    private static async Task<string> QueryVersionAsync(string connectionString)
    {
        // Unpooled: a pooled connection could outlive the server and make "stopped" look like "running".
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 5 }.ConnectionString;
        await using var connection = new NpgsqlConnection(unpooled);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT version()", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temp folder is harmless.
        }
    }
}
