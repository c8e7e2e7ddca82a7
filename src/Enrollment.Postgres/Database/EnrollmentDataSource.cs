using System.Data.Common;
using Npgsql;

namespace OrleansEnrollment.Database;

/// <summary>
/// The data source every grain and query shares. Four defaults differ from Npgsql's, each only when the connection
/// string does not say otherwise:
/// <list type="bullet">
/// <item><c>Max Auto Prepare</c> 32: the same few statements (the policy lock, the unnest inserts, the outbox mark)
/// run thousands of times a second, so the server parses and plans each once per connection instead of per call.</item>
/// <item><c>Maximum Pool Size</c> 32: with many events deciding at once, more backends than that only take turns on the
/// cores (and the lock manager) while each commit waits for the same WAL flush; callers queue briefly on the pool
/// instead.</item>
/// <item><c>Timeout</c> 5 s and <c>Command Timeout</c> 10 s (Npgsql: 15 s and 30 s): when the database is gone a caller
/// should get a 503 quickly, not wait longer than the web's grain call timeout.</item>
/// </list>
/// </summary>
public static class EnrollmentDataSource
{
    public const int DefaultMaxAutoPrepare = 32;
    public const int DefaultMaxPoolSize = 32;
    public const int DefaultConnectSeconds = 5;
    public const int DefaultCommandSeconds = 10;

    public static NpgsqlDataSource Create(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = "enrollment" };
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!Names(given, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }

        if (!Names(given, "Maximum Pool Size", "MaxPoolSize"))
        {
            builder.ConnectionStringBuilder.MaxPoolSize = DefaultMaxPoolSize;
        }

        if (!Names(given, "Timeout"))
        {
            builder.ConnectionStringBuilder.Timeout = DefaultConnectSeconds;
        }

        if (!Names(given, "Command Timeout", "CommandTimeout"))
        {
            builder.ConnectionStringBuilder.CommandTimeout = DefaultCommandSeconds;
        }

        return builder.Build();
    }

    // DbConnectionStringBuilder keeps the keys as written (case-insensitively), so an alias must be looked up as such.
    private static bool Names(DbConnectionStringBuilder given, params string[] keys) => keys.Any(given.ContainsKey);
}
