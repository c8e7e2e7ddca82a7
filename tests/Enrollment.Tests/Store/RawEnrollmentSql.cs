using Npgsql;

namespace OrleansEnrollment.Tests.Store;

/// <summary>
/// Writes enrollments the way a careless writer would: plain SQL with no lock and no check of its own, so a test
/// can show that the database alone refuses what breaks an invariant.
/// </summary>
internal static class RawEnrollmentSql
{
    public static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid eventId, Guid userId, string status, int? position)
    {
        await using var command = new NpgsqlCommand(
            """
            WITH inserted AS (
                INSERT INTO enrollments (id, event_id, user_id, status, waitlist_position, created_at, updated_at)
                VALUES (gen_random_uuid(), $1, $2, $3, $4, now(), now())
                RETURNING id, event_id, status)
            INSERT INTO enrollment_transitions (enrollment_id, event_id, from_status, to_status, reason, occurred_at)
            SELECT id, event_id, NULL, status, 'raw test insert', now() FROM inserted
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = status });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)position ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        await command.ExecuteNonQueryAsync();
    }

    public static async Task InsertAsync(NpgsqlDataSource dataSource, Guid eventId, Guid userId, string status, int? position)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await InsertAsync(connection, null, eventId, userId, status, position);
    }

    public static async Task<long> CountAsync(NpgsqlDataSource dataSource, string table, Guid eventId)
    {
        await using var command = dataSource.CreateCommand($"SELECT count(*) FROM {table} WHERE event_id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
