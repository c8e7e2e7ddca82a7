using Npgsql;

namespace OrleansEnrollment.Bench;

/// <summary>
/// The original algorithm, straight on Npgsql, one transaction per request: lock the event's policy row, count its
/// active enrollments, find its highest waitlist position, decide, insert the enrollment and its audit row, commit.
/// The row lock makes every request for one event wait for the one before it, round trips and fsync included.
/// </summary>
public sealed class BaselineEnroller(NpgsqlDataSource dataSource)
{
    public async Task<RequestOutcome> EnrollAsync(Guid eventId, Guid userId)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        int? capacity;
        bool hasWaitlist;
        await using (var policy = Command(connection, transaction,
            "SELECT capacity, has_waitlist FROM enrollment_policies WHERE event_id = $1 FOR UPDATE", eventId))
        await using (var reader = await policy.ExecuteReaderAsync())
        {
            if (!await reader.ReadAsync())
            {
                return RequestOutcome.Unexpected;
            }

            capacity = reader.IsDBNull(0) ? null : reader.GetInt32(0);
            hasWaitlist = reader.GetBoolean(1);
        }

        long active;
        await using (var count = Command(connection, transaction,
            "SELECT count(*) FROM enrollments WHERE event_id = $1 AND status IN ('confirmed', 'checked_in', 'attended')", eventId))
        {
            active = (long)(await count.ExecuteScalarAsync())!;
        }

        int lastPosition;
        await using (var max = Command(connection, transaction,
            "SELECT coalesce(max(waitlist_position), 0) FROM enrollments WHERE event_id = $1", eventId))
        {
            lastPosition = (int)(await max.ExecuteScalarAsync())!;
        }

        string status;
        int? position = null;
        if (capacity is null || active < capacity)
        {
            status = "confirmed";
        }
        else if (hasWaitlist)
        {
            // Only when full, and exactly the next position: what the schema's triggers insist on.
            status = "waitlisted";
            position = lastPosition + 1;
        }
        else
        {
            await transaction.RollbackAsync();
            return RequestOutcome.Unexpected;
        }

        var enrollmentId = Guid.CreateVersion7();
        var requestId = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        await using (var insert = Command(connection, transaction,
            """
            INSERT INTO enrollments (id, event_id, user_id, status, waitlist_position, request_id, created_at, updated_at)
            VALUES ($2, $1, $3, $4, $5, $6, $7, $7)
            """, eventId))
        {
            insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = enrollmentId });
            insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = status });
            insert.Parameters.Add(new NpgsqlParameter<int?> { TypedValue = position });
            insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = requestId });
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            await insert.ExecuteNonQueryAsync();
        }

        await using (var audit = Command(connection, transaction,
            """
            INSERT INTO enrollment_transitions (enrollment_id, event_id, from_status, to_status, reason, actor_id, request_id, occurred_at)
            VALUES ($2, $1, NULL, $3, $4, $5, $6, $7)
            """, eventId))
        {
            audit.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = enrollmentId });
            audit.Parameters.Add(new NpgsqlParameter<string> { TypedValue = status });
            audit.Parameters.Add(new NpgsqlParameter<string> { TypedValue = position is null ? "enrolled" : "enrolled; event full, added to the waitlist" });
            audit.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
            audit.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = requestId });
            audit.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            await audit.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return position is null ? RequestOutcome.Confirmed : RequestOutcome.Waitlisted;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, Guid eventId) =>
        new(sql, connection, transaction) { Parameters = { new NpgsqlParameter<Guid> { TypedValue = eventId } } };
}
