using Npgsql;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Database;

/// <summary>
/// The PostgreSQL side of every decision, with three ways to the event's policy row lock (<c>SELECT … FOR UPDATE</c>):
/// <list type="bullet">
/// <item><see cref="CommitAsync"/>, the normal path: one round trip that commits only if the row is still the one the
/// decisions were taken on (<see cref="CommitIfUnchanged"/>);</item>
/// <item><see cref="DecideUnderLockAsync"/>, after a refusal: lock, read, decide and write in one transaction;</item>
/// <item><see cref="LoadFencedAsync"/>, after a commit whose outcome is unknown: advance the row's version under the
/// lock, so nothing decided on an older row can still commit, then read.</item>
/// </list>
/// Whatever the path, the writes go in decision order (<see cref="DecisionStatements"/>) and the triggers of
/// migrations 0003 and 0006 check them again as they land.
/// </summary>
public sealed class PostgresEnrollmentStore : IEnrollmentStore
{
    private readonly NpgsqlDataSource dataSource;
    private readonly CommitIfUnchanged commitIfUnchanged;

    public PostgresEnrollmentStore(NpgsqlDataSource dataSource)
        : this(dataSource, SharedCommitter.DefaultCommitters)
    {
    }

    /// <param name="committers">How many transactions of the normal path may run at once (tests use one).</param>
    internal PostgresEnrollmentStore(NpgsqlDataSource dataSource, int committers)
    {
        this.dataSource = dataSource;
        commitIfUnchanged = new CommitIfUnchanged(dataSource, committers);
    }

    /// <summary>Transactions that carried the groups of more than one event.</summary>
    internal long SharedTransactions => commitIfUnchanged.SharedTransactions;

    public async Task<EventCapacityState?> LoadAsync(Guid eventId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // One snapshot for both reads, so the counters and version describe exactly the rows we load.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var state = await LoadAsync(connection, transaction, eventId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return state;
    }

    public Task<CommitResult> CommitAsync(Guid eventId, PolicyRow decidedOn, DecisionWrite write, CancellationToken cancellationToken = default)
    {
        if (write.Changes.Count == 0 && write.NewPolicy is null)
        {
            return Task.FromResult<CommitResult>(new CommitResult.Committed(decidedOn));
        }

        return DecisionReplay.FindDisagreement(decidedOn, write) is { } disagreement
            ? Task.FromResult<CommitResult>(new CommitResult.Refused(RefusalReasons.RuleReplay, disagreement))
            : commitIfUnchanged.CommitAsync(eventId, decidedOn, write);
    }

    public async Task<(EventCapacityState? State, CommitResult Result)> DecideUnderLockAsync(
        Guid eventId, Func<EventCapacityState, DecisionWrite?> decide, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            // Lock first, then read in later statements: a READ COMMITTED statement that waited for a lock still reads
            // with the snapshot it started with, so only statements after the wait see every commit before ours.
            await using (var lockRow = new NpgsqlCommand(
                "SELECT 1 FROM enrollment_policies WHERE event_id = $1 FOR UPDATE", connection, transaction))
            {
                lockRow.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
                await lockRow.ExecuteScalarAsync(cancellationToken);
            }

            var state = await LoadAsync(connection, transaction, eventId, cancellationToken);
            if (state is null)
            {
                return (null, new CommitResult.Refused(RefusalReasons.EventGone, "the event no longer exists"));
            }

            var row = state.ToPolicyRow();
            if (decide(state) is { } write && (write.Changes.Count > 0 || write.NewPolicy is not null))
            {
                await using var batch = new NpgsqlBatch(connection, transaction);
                DecisionStatements.AddTo(batch, eventId, write);
                batch.BatchCommands.Add(PolicyRows.AfterWrites(eventId));
                row = (await PolicyRows.ReadAllAsync(batch, cancellationToken)).Single();
                state.MarkCommitted(row.Version);
            }

            await transaction.CommitAsync(cancellationToken);
            return (state, new CommitResult.Committed(row));
        }
        catch (PostgresException exception) when (CommitIfUnchanged.Refusal(exception) is { } refused)
        {
            await RollBackQuietlyAsync(transaction);
            return (null, refused);
        }
    }

    public async Task<FencedLoad> LoadFencedAsync(Guid eventId, UncertainCommit? uncertain, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // The fence. Taking the row lock waits for any transaction that holds it to end; advancing the version makes
        // lock_policy_as_expected refuse any batch decided on an older row that has not reached the lock yet (still in
        // a socket, say). After this statement, the uncertain commit has either landed or never will.
        PolicyRow? before;
        await using (var fence = new NpgsqlCommand(
            // An UPDATE that waited for the lock applies to the row as the lock holder committed it, so these are the
            // columns as of every commit before the fence.
            $"UPDATE enrollment_policies SET version = version + 1 WHERE event_id = $1 RETURNING version - 1, {PolicyColumns.Names()}",
            connection, transaction))
        {
            fence.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
            await using var reader = await fence.ExecuteReaderAsync(cancellationToken);
            before = await reader.ReadAsync(cancellationToken)
                ? new PolicyRow(PolicyColumns.Read(reader, 1), 0, 0, 0, reader.GetInt64(0), 0)
                : null;
        }

        if (before is null)
        {
            return new FencedLoad(null, null);
        }

        bool? landed = uncertain is null ? null : await LandedAsync(connection, transaction, uncertain, before, cancellationToken);
        var state = await LoadAsync(connection, transaction, eventId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new FencedLoad(state, landed);
    }

    /// <summary>
    /// Whether an uncertain commit landed, read behind the fence. A group with changes landed exactly when its first
    /// domain event is in the outbox (same transaction, fresh id). A policy change alone leaves no row of its own: it
    /// did not land if the version never moved, and counts as landed if the policy is the one it set (setting a policy
    /// twice is setting it once); anything else cannot be told.
    /// </summary>
    private static async Task<bool?> LandedAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, UncertainCommit uncertain, PolicyRow before, CancellationToken cancellationToken)
    {
        if (uncertain.Write.Changes.Count > 0)
        {
            await using var probe = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM outbox WHERE id = $1)", connection, transaction);
            probe.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = uncertain.Write.Changes[0].Event.Id });
            return (bool)(await probe.ExecuteScalarAsync(cancellationToken))!;
        }

        if (before.Version == uncertain.DecidedOn.Version)
        {
            return false;
        }

        return before.Policy == uncertain.Write.NewPolicy ? true : null;
    }

    /// <summary>A refused COMMIT (a deferred constraint) has already ended the transaction; rolling back then is a no-op.</summary>
    private static async Task RollBackQuietlyAsync(NpgsqlTransaction transaction)
    {
        try
        {
            await transaction.RollbackAsync(CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static async Task<EventCapacityState?> LoadAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid eventId, CancellationToken cancellationToken)
    {
        PolicyRow? policy;
        await using (var command = new NpgsqlCommand(PolicyRows.OfEvent, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            policy = await reader.ReadAsync(cancellationToken) ? PolicyRows.Read(reader) : null;
        }

        if (policy is null)
        {
            return null;
        }

        var live = new List<Enrollment>(policy.ActiveCount + policy.WaitlistCount);
        await using (var command = new NpgsqlCommand(
            $"""
            SELECT {EnrollmentRows.Columns}
              FROM enrollments
             WHERE event_id = $1 AND status <> 'cancelled'
            """, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                live.Add(EnrollmentRows.Read(reader, eventId));
            }
        }

        return new EventCapacityState(
            eventId, policy.Policy, policy.ActiveCount, policy.WaitlistCount, policy.LastWaitlistPosition, policy.Version, live,
            policy.LastEventSequence);
    }
}
