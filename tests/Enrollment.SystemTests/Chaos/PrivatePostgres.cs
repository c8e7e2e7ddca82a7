using Npgsql;
using OrleansEnrollment.Database;
using OrleansEnrollment.Database.LocalServer;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Tests.Chaos;

/// <summary>
/// A PostgreSQL of the test's own (own data directory, own port), migrated, that the test may stop and start again on
/// the same port: the suite's shared server is never taken down.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string root;
    private LocalPostgresServer? server;

    private PrivatePostgres(string root, LocalPostgresServer server)
    {
        this.root = root;
        this.server = server;
        Port = server.Port;
        ConnectionString = server.ConnectionString;
        // The checks read through this; Npgsql opens fresh connections after the restart.
        DataSource = NpgsqlDataSource.Create(ConnectionString);
        Queries = new EnrollmentQueries(DataSource);
    }

    public int Port { get; }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public EnrollmentQueries Queries { get; }

    public static async Task<PrivatePostgres> StartAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "orleans-enrollment-chaos", Guid.NewGuid().ToString("N")[..12]);
        var server = await LocalPostgresServer.StartAsync(Options(root, port: null));
        await DatabaseMigrator.MigrateAsync(server.ConnectionString);
        await RequireSynchronousCommitAsync(server.ConnectionString);
        return new PrivatePostgres(root, server);
    }

    /// <summary>
    /// Stops the server the hard way: <c>pg_ctl stop -m immediate</c> kills every backend without a checkpoint, as a
    /// crash would, so the next start runs crash recovery.
    /// </summary>
    public async Task StopImmediatelyAsync()
    {
        var running = server ?? throw new InvalidOperationException("The server is not running.");
        var pgCtl = Path.Combine(LocalPostgresServer.FindBinDirectory()!, "pg_ctl");
        string[] stop = ["stop", "-D", running.DataDirectory, "-m", "immediate", "-w", "-t", "30"];
        // As root the server runs as the postgres account (see LocalPostgresServer), and pg_ctl must too.
        var (file, arguments) = Environment.UserName == "root" ? ("runuser", (string[])["-u", "postgres", "--", pgCtl, .. stop]) : (pgCtl, stop);
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = "/",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(40)).Token);
        Assert.True(process.ExitCode == 0, $"pg_ctl stop failed: {await process.StandardError.ReadToEndAsync()}");
        server = null;
    }

    /// <summary>Starts the stopped server again on the same port, so every connection string stays valid.</summary>
    public async Task RestartAsync()
    {
        Assert.Null(server);
        server = await LocalPostgresServer.StartAsync(Options(root, Port));
        Assert.Equal(Port, server.Port);
        // The checker's own pooled connections died with the server; the system under test must cope on its own.
        DataSource.Clear();
    }

    // Non-durable (no fsync) for a quick initdb: a killed server loses nothing the OS already holds.
    private static LocalPostgresOptions Options(string root, int? port) =>
        new() { DataDirectory = Path.Combine(root, "pg"), Durable = false, Port = port };

    /// <summary>
    /// The non-durable setting also turns synchronous_commit off, and then an immediate stop loses commits that were
    /// already acknowledged: exactly what these tests must not see. A database-level setting wins over the server's.
    /// </summary>
    private static async Task RequireSynchronousCommitAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"ALTER DATABASE \"{connection.Database}\" SET synchronous_commit = on", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // a leftover temp folder is harmless
        }
    }
}
