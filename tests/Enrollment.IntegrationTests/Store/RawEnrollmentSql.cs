using Npgsql;

namespace OrleansEnrollment.Tests.Store;

/// <summary>
/// Writes enrollments the way a careless writer would: plain SQL with no lock and no check of its own, so a test
/// can show that the database alone refuses what breaks an invariant.
/// </summary>
internal static class RawEnrollmentSql
{
    /// <returns>The new enrollment's id.</returns>
    public static async Task<Guid> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid eventId, Guid userId, string status, int? position)
    {
        await using var command = new NpgsqlCommand(
            """
            WITH inserted AS (
                INSERT INTO enrollments (id, event_id, user_id, status, waitlist_position, created_at, updated_at)
                VALUES (gen_random_uuid(), $1, $2, $3, $4, now(), now())
                RETURNING id, event_id, status),
            audited AS (
                INSERT INTO enrollment_transitions (enrollment_id, event_id, from_status, to_status, reason, occurred_at)
                SELECT id, event_id, NULL, status, 'raw test insert', now() FROM inserted)
            SELECT id FROM inserted
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = status });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)position ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<Guid> InsertAsync(NpgsqlDataSource dataSource, Guid eventId, Guid userId, string status, int? position)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await InsertAsync(connection, null, eventId, userId, status, position);
    }

    /// <summary>Sets an enrollment's status, whatever it was, with its audit row.</summary>
    public static async Task MoveAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid enrollmentId, string status)
    {
        await using var command = new NpgsqlCommand(
            """
            WITH before AS (SELECT id, event_id, status FROM enrollments WHERE id = $1),
            moved AS (UPDATE enrollments SET status = $2, updated_at = now() WHERE id = $1 RETURNING id)
            INSERT INTO enrollment_transitions (enrollment_id, event_id, from_status, to_status, reason, occurred_at)
            SELECT id, event_id, status, $2, 'raw test move', now() FROM before
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = enrollmentId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = status });
        await command.ExecuteNonQueryAsync();
    }

    public static async Task SetPolicyAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid eventId, int? capacity, bool hasWaitlist)
    {
        await using var command = new NpgsqlCommand(
            "UPDATE enrollment_policies SET capacity = $2, has_waitlist = $3, version = version + 1 WHERE event_id = $1", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)capacity ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = hasWaitlist });
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<long> CountAsync(NpgsqlDataSource dataSource, string table, Guid eventId)
    {
        await using var command = dataSource.CreateCommand($"SELECT count(*) FROM {table} WHERE event_id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
