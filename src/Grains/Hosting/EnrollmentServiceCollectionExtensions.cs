using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Database;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Hosting;

public static class EnrollmentServiceCollectionExtensions
{
    // Npgsql waits 15 s to connect and 30 s per command by default: longer than a caller should wait for a 503 when the
    // database is gone. A connection string that names its own values keeps them.
    private const int DefaultConnectSeconds = 5;
    private const int DefaultCommandSeconds = 10;

    /// <summary>Registers the PostgreSQL store, catalog and queries that the grains and hosts use.</summary>
    public static IServiceCollection AddEnrollmentStorage(this IServiceCollection services, string connectionString)
    {
        services.TryAddSingleton(_ => new NpgsqlDataSourceBuilder(WithBoundedTimeouts(connectionString)) { Name = "enrollment" }.Build());
        services.TryAddSingleton<IEnrollmentStore, PostgresEnrollmentStore>();
        services.TryAddSingleton<EventCatalog>();
        services.TryAddSingleton<EnrollmentQueries>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>The connection string with short connect and command timeouts, unless it sets its own.</summary>
    public static string WithBoundedTimeouts(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Names(connectionString, "timeout"))
        {
            builder.Timeout = DefaultConnectSeconds;
        }

        if (!Names(connectionString, "command timeout", "commandtimeout"))
        {
            builder.CommandTimeout = DefaultCommandSeconds;
        }

        return builder.ConnectionString;
    }

    private static bool Names(string connectionString, params string[] keys) =>
        connectionString.Split(';').Select(part => part.Split('=')[0].Trim())
            .Any(key => keys.Contains(key, StringComparer.OrdinalIgnoreCase));
}
