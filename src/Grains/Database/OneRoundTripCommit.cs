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
/// <para>
/// Commits of different events that wait at the same moment share one transaction (<see cref="SharedCommitter"/>):
/// with the load spread over many events each decides alone, and each paid its own round trip and WAL flush.
/// </para>
/// </summary>
internal sealed class OneRoundTripCommit
{
    private readonly NpgsqlDataSource dataSource;
    private readonly SharedCommitter committer;

    public OneRoundTripCommit(NpgsqlDataSource dataSource, int committers = SharedCommitter.DefaultCommitters)
    {
        this.dataSource = dataSource;
        committer = new SharedCommitter(committers, CommitTogetherAsync);
    }

    /// <summary>Transactions that carried more than one event's commit (for tests and curiosity).</summary>
    public long SharedTransactions => committer.SharedTransactions;

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
    public Task<CommitResult?> TryCommitAsync(Guid eventId, long expectedVersion, DecisionWrite write, CancellationToken cancellationToken)
    {
        if (write.NewPolicy is not null
            || write.Changes.Any(change => change.From is not null)
            || !lastSeen.TryGetValue(eventId, out var expected)
            || expected.Version != expectedVersion
            || PostgresEnrollmentStore.DisagreementWith(expected, expectedVersion, write) is not null)
        {
            // Policy changes and status updates keep the old path (the updates' matched-row count is checked before
            // COMMIT); a disagreement is reported by the old path, against the row it locks.
            return Task.FromResult<CommitResult?>(null);
        }

        return committer.CommitAsync(new PendingCommit(eventId, expected, write));
    }

    /// <summary>
    /// Commits these events' writes in one transaction, one round trip: per event (in the committer's lock order) the
    /// lock function, the three inserts and the policy row as written. Answers each commit.
    /// </summary>
    private async Task CommitTogetherAsync(IReadOnlyList<PendingCommit> commits)
    {
        try
        {
            var rows = await ExecuteAsync(commits);
            for (var i = 0; i < commits.Count; i++)
            {
                lastSeen[commits[i].EventId] = rows[i];
                commits[i].Answer.TrySetResult(new CommitResult.Committed(rows[i].Version));
            }
        }
        catch (PostgresException exception) when (commits.Count > 1 && IsRefusal(exception))
        {
            // The whole transaction rolled back. A refusal is rare, and it belongs to one event: each is committed
            // again on its own, so the refused one gets its own answer and the others are not failed by it.
            foreach (var commit in commits)
            {
                await CommitTogetherAsync([commit]);
            }
        }
        catch (PostgresException exception) when (exception.SqlState == NotAsExpected)
        {
            lastSeen.TryRemove(commits[0].EventId, out _);
            commits[0].Answer.TrySetResult(null);
        }
        catch (PostgresException exception) when (PostgresEnrollmentStore.IsRefusedByBackstop(exception))
        {
            lastSeen.TryRemove(commits[0].EventId, out _);
            commits[0].Answer.TrySetResult(PostgresEnrollmentStore.Refused(exception));
        }
        catch (Exception exception)
        {
            // Lost connection, timeout, deadlock: the one transaction either committed for all of them or for none,
            // and each grain finds out which as for a commit of its own (its first domain event in the outbox or not).
            foreach (var commit in commits)
            {
                lastSeen.TryRemove(commit.EventId, out _);
                commit.Answer.TrySetException(exception);
            }
        }
    }

    private static bool IsRefusal(PostgresException exception) =>
        exception.SqlState == NotAsExpected || PostgresEnrollmentStore.IsRefusedByBackstop(exception);

    private async Task<PolicyRow[]> ExecuteAsync(IReadOnlyList<PendingCommit> commits)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        // No NpgsqlTransaction: the statements of a batch run in one implicit transaction, committed when the server
        // reaches the batch's end, or rolled back entirely when one fails.
        await using var batch = new NpgsqlBatch(connection);
        foreach (var commit in commits)
        {
            batch.BatchCommands.Add(LockAsExpected(commit.EventId, commit.Expected));
            batch.BatchCommands.Add(PostgresEnrollmentStore.EnrollmentInserts(commit.EventId, commit.Write.Changes));
            batch.BatchCommands.Add(PostgresEnrollmentStore.TransitionInserts(commit.EventId, commit.Write.Changes));
            batch.BatchCommands.Add(PostgresEnrollmentStore.OutboxInserts(commit.EventId, commit.Write.Changes));
            batch.BatchCommands.Add(PostgresEnrollmentStore.PolicyRowAfterWrites(commit.EventId));
        }

        // Only the policy rows have columns (the lock function is selected FROM), one per event, in order.
        var rows = new List<PolicyRow>(commits.Count);
        await using (var reader = await batch.ExecuteReaderAsync())
        {
            do
            {
                if (reader.FieldCount > 0 && await reader.ReadAsync())
                {
                    rows.Add(PolicyRow.Read(reader));
                }
            }
            while (await reader.NextResultAsync());
        }

        return rows.Count == commits.Count
            ? [.. rows]
            : throw new InvalidOperationException("A policy row vanished inside its own transaction.");
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
