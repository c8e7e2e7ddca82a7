using System.Collections.Concurrent;
using Npgsql;
using NpgsqlTypes;
using OrleansEnrollment.Enrollments;
using PolicyRow = OrleansEnrollment.Database.PostgresEnrollmentStore.PolicyRow;

namespace OrleansEnrollment.Database;

/// <summary>
/// Commits new enrollments in one round trip instead of three (lock and read; write; commit). An event that decides
/// one enrollment at a time (most events, when the load is spread over many) paid those round trips per decision.
/// <para>
/// The store's check replays the decisions against the locked policy row. Here they are replayed against the row this
/// store last saw at the expected version, and the batch starts with <c>lock_policy_as_expected</c> (migration 0009),
/// which locks the row and refuses unless it is exactly that row; the batch is one implicit transaction, so a refusal
/// writes nothing. Then (and whenever this store has not seen the row, or the write is not only new enrollments)
/// the caller takes the old path, which gives the same answer as before. Row lock, triggers and constraints are the
/// same as on the old path.
/// </para>
/// </summary>
internal sealed class OneRoundTripCommit(NpgsqlDataSource dataSource)
{
    /// <summary>SQLSTATE of <c>lock_policy_as_expected</c>'s refusal (a code of our own, so it is no backstop's).</summary>
    public const string NotAsExpected = "EN409";

    // One row per event: bounded by the events this silo has hosted since the last clear, a few dozen bytes each.
    private const int MaxRemembered = 100_000;

    private readonly ConcurrentDictionary<Guid, PolicyRow> lastSeen = new();

    /// <summary>Remembers the policy row as committed (or read) by this store; null forgets the event.</summary>
    public void Saw(Guid eventId, PolicyRow? row)
    {
        if (row is null)
        {
            lastSeen.TryRemove(eventId, out _);
            return;
        }

        if (lastSeen.Count >= MaxRemembered)
        {
            // Forgetting only costs the next commit of each event the old path.
            lastSeen.Clear();
        }

        lastSeen[eventId] = row;
    }

    /// <returns>The commit's result, or null when the old path must decide (nothing was written then).</returns>
    public async Task<CommitResult?> TryCommitAsync(Guid eventId, long expectedVersion, DecisionWrite write, CancellationToken cancellationToken)
    {
        if (write.NewPolicy is not null
            || write.Changes.Any(change => change.From is not null)
            || !lastSeen.TryGetValue(eventId, out var expected)
            || expected.Version != expectedVersion
            || PostgresEnrollmentStore.DisagreementWith(expected, expectedVersion, write) is not null)
        {
            // Policy changes and status updates keep the old path (the updates' matched-row count is checked before
            // COMMIT); a disagreement is reported by the old path, against the row it locks.
            return null;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // No NpgsqlTransaction: the statements of a batch run in one implicit transaction, committed when the server
        // reaches the batch's end, or rolled back entirely when one fails.
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(LockAsExpected(eventId, expected));
        batch.BatchCommands.Add(PostgresEnrollmentStore.EnrollmentInserts(eventId, write.Changes));
        batch.BatchCommands.Add(PostgresEnrollmentStore.TransitionInserts(eventId, write.Changes));
        batch.BatchCommands.Add(PostgresEnrollmentStore.OutboxInserts(eventId, write.Changes));
        batch.BatchCommands.Add(PostgresEnrollmentStore.PolicyRowAfterWrites(eventId));
        try
        {
            var written = await PostgresEnrollmentStore.ReadLastPolicyRowAsync(batch, cancellationToken)
                ?? throw new InvalidOperationException($"The policy row of event {eventId} vanished inside its own transaction.");
            lastSeen[eventId] = written;
            return new CommitResult.Committed(written.Version);
        }
        catch (PostgresException exception) when (exception.SqlState == NotAsExpected)
        {
            lastSeen.TryRemove(eventId, out _);
            return null;
        }
        catch (PostgresException exception) when (PostgresEnrollmentStore.IsRefusedByBackstop(exception))
        {
            lastSeen.TryRemove(eventId, out _);
            return PostgresEnrollmentStore.Refused(exception);
        }
    }

    // SELECT FROM: a result without columns, so only the last statement's row is read back as the policy row.
    private static NpgsqlBatchCommand LockAsExpected(Guid eventId, PolicyRow expected) => new(
        "SELECT FROM lock_policy_as_expected($1, $2, $3, $4, $5, $6, $7)")
    {
        Parameters =
        {
            new NpgsqlParameter<Guid> { TypedValue = eventId },
            new NpgsqlParameter<long> { TypedValue = expected.Version },
            new NpgsqlParameter { Value = (object?)expected.Policy.Capacity ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer },
            new NpgsqlParameter<bool> { TypedValue = expected.Policy.HasWaitlist },
            new NpgsqlParameter<int> { TypedValue = expected.ActiveCount },
            new NpgsqlParameter<int> { TypedValue = expected.LastWaitlistPosition },
            new NpgsqlParameter<long> { TypedValue = expected.LastEventSequence },
        },
    };
}
