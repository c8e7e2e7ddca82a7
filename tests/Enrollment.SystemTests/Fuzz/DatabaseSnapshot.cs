using Npgsql;

namespace OrleansEnrollment.Tests.Fuzz;

/// <summary>
/// Row counts and checksums of the tables a request could change, to show that a run of requests changed nothing.
/// Outbox dispatch marks and other tests' late notifications are left out: background work, not requests, writes them.
/// </summary>
public sealed record DatabaseSnapshot(IReadOnlyDictionary<string, string> Tables)
{
    private static readonly string[] Checksummed = ["events", "enrollment_policies", "enrollments", "enrollment_transitions", "users"];

    public static async Task<DatabaseSnapshot> TakeAsync(NpgsqlDataSource dataSource, IReadOnlyCollection<Guid> ownUsers)
    {
        var tables = new Dictionary<string, string>();
        foreach (var table in Checksummed)
        {
            // every column, in a fixed order, so any changed value changes the checksum
            await using var command = dataSource.CreateCommand(
                $"SELECT count(*)::text || ' ' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {table} t");
            tables[table] = (string)(await command.ExecuteScalarAsync())!;
        }

        await using (var outbox = dataSource.CreateCommand("SELECT count(*)::text FROM outbox"))
        {
            tables["outbox"] = (string)(await outbox.ExecuteScalarAsync())!;
        }

        await using (var notifications = dataSource.CreateCommand("SELECT count(*)::text FROM notifications WHERE user_id = ANY($1)"))
        {
            notifications.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ownUsers.ToArray() });
            tables["notifications"] = (string)(await notifications.ExecuteScalarAsync())!;
        }

        return new DatabaseSnapshot(tables);
    }

    public IEnumerable<string> Differences(DatabaseSnapshot after) =>
        Tables.Where(table => after.Tables[table.Key] != table.Value).Select(table => $"{table.Key}: {table.Value} → {after.Tables[table.Key]}");
}
