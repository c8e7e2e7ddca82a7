using Npgsql;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Catalog;

/// <summary>
/// Deletes an event nobody ever enrolled in. Only the event's grain calls this, as a step its decision writer runs
/// alone, so the grain has no decision in flight meanwhile. Any other writer (a second activation during a membership
/// change, a tool) is kept out by the policy row lock that every commit takes first: its enrollment either committed
/// before the lock (and the check below sees it) or waits, and then finds no policy row and fails, writing nothing.
/// The database refuses on its own too: enrollments, outbox and notification rows reference the event without a cascade.
/// </summary>
public sealed class EventDeletion(NpgsqlDataSource dataSource)
{
    public async Task<EventDeletionOutcome> DeleteUnlessEnrolledAsync(Guid eventId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Disposed without a commit, the transaction rolls back: every early return below deletes nothing.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Lock first, then look in later statements: a READ COMMITTED statement that waited for a lock still reads with
        // the snapshot it started with, so only statements after the wait see every commit made before ours.
        if (await ScalarAsync(connection, transaction, "SELECT true FROM enrollment_policies WHERE event_id = $1 FOR UPDATE", eventId, cancellationToken) is null)
        {
            return EventDeletionOutcome.NotFound;
        }

        // Any status: a cancelled enrollment is history (its audit trail, its notifications) that must stay readable.
        if (await ScalarAsync(connection, transaction, "SELECT EXISTS (SELECT 1 FROM enrollments WHERE event_id = $1)", eventId, cancellationToken) is true)
        {
            return EventDeletionOutcome.HasEnrollments;
        }

        try
        {
            // The policy row goes with it (ON DELETE CASCADE).
            await ScalarAsync(connection, transaction, "DELETE FROM events WHERE id = $1", eventId, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return EventDeletionOutcome.Deleted;
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            // A row that refers to the event came from a writer that did not take the lock; the database keeps the event.
            return EventDeletionOutcome.HasEnrollments;
        }
    }

    private static async Task<object?> ScalarAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, Guid eventId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
