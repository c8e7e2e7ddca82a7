using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using OrleansEnrollment.Database;
using OrleansEnrollment.Database.LocalServer;

namespace OrleansEnrollment.Hosting;

/// <summary>
/// The database a host runs on: the server named by <c>ConnectionStrings:Enrollment</c> when configured, otherwise (in
/// Development only) a private PostgreSQL this process starts from the machine's binaries. Either way it is migrated
/// before use.
/// </summary>
public sealed class EnrollmentDatabase : IAsyncDisposable
{
    public const string ConnectionStringName = "Enrollment";

    private readonly LocalPostgresServer? localServer;

    private EnrollmentDatabase(string connectionString, LocalPostgresServer? localServer)
    {
        ConnectionString = connectionString;
        this.localServer = localServer;
    }

    public string ConnectionString { get; }

    /// <summary>True when this process started its own PostgreSQL (no connection string configured).</summary>
    public bool IsLocal => localServer is not null;

    /// <param name="allowLocalServer">
    /// Whether a missing connection string may start a local server: only in Development, since that server trusts every
    /// local connection without a password.
    /// </param>
    public static async Task<EnrollmentDatabase> OpenAsync(
        IConfiguration configuration, string appName, ILogger logger, bool allowLocalServer, CancellationToken cancellationToken = default)
    {
        var configured = configuration.GetConnectionString(ConnectionStringName);
        LocalPostgresServer? server = null;
        if (string.IsNullOrWhiteSpace(configured))
        {
            if (!allowLocalServer)
            {
                throw new InvalidOperationException(
                    $"No ConnectionStrings:{ConnectionStringName} is configured. Outside Development this host does not start a local " +
                    "PostgreSQL (it would trust every local connection without a password): configure a server.");
            }

            var dataDirectory = configuration["Enrollment:DataDirectory"] ?? LocalPostgresServer.DefaultDataDirectory(appName);
            server = await LocalPostgresServer.StartAsync(new LocalPostgresOptions { DataDirectory = dataDirectory }, logger, cancellationToken);
            logger.LogInformation("Using a local PostgreSQL at 127.0.0.1:{Port} (data in {DataDirectory})", server.Port, server.DataDirectory);
            configured = server.ConnectionString;
        }

        try
        {
            await DatabaseMigrator.MigrateAsync(configured, logger, cancellationToken);
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            throw;
        }

        return new EnrollmentDatabase(configured, server);
    }

    public async ValueTask DisposeAsync()
    {
        if (localServer is not null)
        {
            await localServer.DisposeAsync();
        }
    }
}
