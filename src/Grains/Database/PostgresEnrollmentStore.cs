using Npgsql;
using NpgsqlTypes;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Outbox;

namespace OrleansEnrollment.Database;

/// <summary>
/// The PostgreSQL side of every decision. A commit locks the event's policy row (<c>SELECT … FOR UPDATE</c>),
/// re-checks the decisions against it, then writes enrollments and audit rows with one statement each, however
/// many decisions there are. The triggers of migration 0003 check the same rule again as the rows land.
/// New enrollments on a row this store has seen at the expected version commit in one round trip
/// (<see cref="OneRoundTripCommit"/>).
/// </summary>
public sealed class PostgresEnrollmentStore : IEnrollmentStore
{
    private readonly NpgsqlDataSource dataSource;
    private readonly OneRoundTripCommit oneRoundTrip;

    public PostgresEnrollmentStore(NpgsqlDataSource dataSource)
        : this(dataSource, SharedCommitter.DefaultCommitters)
    {
    }

    /// <param name="committers">How many transactions of new enrollments may run at once (tests use one).</param>
    internal PostgresEnrollmentStore(NpgsqlDataSource dataSource, int committers)
    {
        this.dataSource = dataSource;
        oneRoundTrip = new OneRoundTripCommit(dataSource, committers);
    }

    /// <summary>Transactions that carried new enrollments of more than one event.</summary>
    internal long SharedTransactions => oneRoundTrip.SharedTransactions;

    public async Task<EventCapacityState?> LoadAsync(Guid eventId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // One snapshot for both reads, so the counters and version describe exactly the rows we load.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var (state, row) = await LoadAsync(connection, transaction, eventId, PolicyQuery, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        oneRoundTrip.Saw(eventId, row);
        return state;
    }

    public async Task<CommitResult> CommitAsync(
        Guid eventId, long expectedVersion, DecisionWrite write, CancellationToken cancellationToken = default)
    {
        if (write.Changes.Count == 0 && write.NewPolicy is null)
        {
            return new CommitResult.Committed(expectedVersion);
        }

        if (await oneRoundTrip.TryCommitAsync(eventId, expectedVersion, write, cancellationToken) is { } result)
        {
            return result;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            PolicyRow? locked;
            // If this waited for the lock, the row's own columns are re-read but the outbox subquery is not; any
            // change while we waited bumped the version, though, and the version is checked first.
            await using (var command = new NpgsqlCommand(PolicyQuery + " FOR UPDATE OF enrollment_policies", connection, transaction))
            {
                command.Parameters.Add(new NpgsqlParameter<Guid>("event_id", eventId));
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                locked = await reader.ReadAsync(cancellationToken) ? PolicyRow.Read(reader) : null;
            }

            if (DisagreementWith(locked, expectedVersion, write) is { } reason)
            {
                await transaction.RollbackAsync(cancellationToken);
                return new CommitResult.Conflict(reason);
            }

            var written = await WriteAsync(connection, transaction, eventId, write, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            oneRoundTrip.Saw(eventId, written);
            return new CommitResult.Committed(written.Version);
        }
        catch (PostgresException exception) when (IsRefusedByBackstop(exception))
        {
            // The constraints and triggers hold the line even when our own check above was fooled.
            await RollBackQuietlyAsync(transaction);
            return Refused(exception);
        }
    }

    public async Task<bool> IsCommittedAsync(Guid domainEventId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM outbox WHERE id = $1)");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = domainEventId });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
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

            var (state, row) = await LoadAsync(connection, transaction, eventId, PolicyQuery, cancellationToken);
            if (state is null)
            {
                return (null, new CommitResult.Conflict("the event no longer exists"));
            }

            if (decide(state) is { } write && (write.Changes.Count > 0 || write.NewPolicy is not null))
            {
                row = await WriteAsync(connection, transaction, eventId, write, cancellationToken);
                state.MarkCommitted(row.Version);
            }

            await transaction.CommitAsync(cancellationToken);
            oneRoundTrip.Saw(eventId, row);
            return (state, new CommitResult.Committed(state.Version));
        }
        catch (PostgresException exception) when (IsRefusedByBackstop(exception))
        {
            await RollBackQuietlyAsync(transaction);
            return (null, Refused(exception));
        }
    }

    /// <summary>
    /// Replays the decisions on the locked row with the same rule the grain used. Any difference means the grain
    /// decided on a state that is not the database's, so none of its decisions may be written.
    /// </summary>
    internal static string? DisagreementWith(PolicyRow? locked, long expectedVersion, DecisionWrite write)
    {
        if (locked is null)
        {
            return "the event no longer exists";
        }

        if (locked.Version != expectedVersion)
        {
            return $"stale state: the decider read version {expectedVersion}, the database is at {locked.Version}";
        }

        var policy = write.NewPolicy ?? locked.Policy;
        var active = locked.ActiveCount;
        var lastPosition = locked.LastWaitlistPosition;
        var lastSequence = locked.LastEventSequence;
        foreach (var change in write.Changes)
        {
            if (change.Event.Sequence != ++lastSequence)
            {
                return $"domain event {change.Event.Id} has sequence {change.Event.Sequence}, the next one is {lastSequence}";
            }

            var after = change.After;
            if (change.From is null)
            {
                var verdict = EnrollmentRule.Decide(policy, active, lastPosition);
                switch (verdict.Kind)
                {
                    case VerdictKind.Confirm when after.Status == EnrollmentStatus.Confirmed:
                        active++;
                        break;
                    case VerdictKind.Waitlist when after.Status == EnrollmentStatus.Waitlisted && after.WaitlistPosition == verdict.WaitlistPosition:
                        lastPosition++;
                        break;
                    default:
                        return $"the database decides {verdict.Kind} (position {verdict.WaitlistPosition}) for user {after.UserId}, " +
                               $"the decider said {after.Status} (position {after.WaitlistPosition})";
                }

                continue;
            }

            var gainsSeat = after.Status.IsActive() && !change.From.Value.IsActive();
            if (gainsSeat && policy.Capacity is { } capacity && active >= capacity)
            {
                return $"no free seat for enrollment {after.Id} to become {after.Status.ToName()}";
            }

            active += (after.Status.IsActive() ? 1 : 0) - (change.From.Value.IsActive() ? 1 : 0);
        }

        return null;
    }

    /// <returns>The policy row as the writes leave it (read inside the transaction, so as it will commit).</returns>
    private static async Task<PolicyRow> WriteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid eventId, DecisionWrite write, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (write.NewPolicy is { } policy)
        {
            // first, so the triggers check the enrollment changes below against the new capacity
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                "UPDATE enrollment_policies SET capacity = $2, has_waitlist = $3, version = version + 1, updated_at = now() WHERE event_id = $1")
            {
                Parameters =
                {
                    new NpgsqlParameter<Guid> { TypedValue = eventId },
                    new NpgsqlParameter { Value = (object?)policy.Capacity ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer },
                    new NpgsqlParameter<bool> { TypedValue = policy.HasWaitlist },
                },
            });
        }

        var inserts = write.Changes.Where(change => change.From is null).ToList();
        if (inserts.Count > 0)
        {
            batch.BatchCommands.Add(EnrollmentInserts(eventId, inserts));
        }

        var updates = write.Changes.Where(change => change.From is not null).ToList();
        var updateCommand = updates.Count > 0 ? EnrollmentUpdates(eventId, updates) : null;
        if (updateCommand is not null)
        {
            batch.BatchCommands.Add(updateCommand);
        }

        if (write.Changes.Count > 0)
        {
            batch.BatchCommands.Add(TransitionInserts(eventId, write.Changes));
            batch.BatchCommands.Add(OutboxInserts(eventId, write.Changes));
        }

        batch.BatchCommands.Add(PolicyRowAfterWrites(eventId));
        var row = await ReadLastPolicyRowAsync(batch, cancellationToken);

        if (updateCommand is not null && updateCommand.RecordsAffected != updates.Count)
        {
            // An enrollment was no longer in the status the decider saw: raise so the whole transaction rolls back.
            throw new PostgresException(
                $"{updates.Count - updateCommand.RecordsAffected} enrollment(s) changed under the decider", "ERROR", "ERROR", PostgresErrorCodes.SerializationFailure);
        }

        return row ?? throw new InvalidOperationException($"The policy row of event {eventId} vanished inside its own transaction.");
    }

    internal static NpgsqlBatchCommand PolicyRowAfterWrites(Guid eventId) => new(PolicyColumns + " WHERE event_id = $1")
    {
        Parameters = { new NpgsqlParameter<Guid> { TypedValue = eventId } },
    };

    /// <summary>Runs the batch; the writes come back as empty results, the policy row is the first row of the last one.</summary>
    internal static async Task<PolicyRow?> ReadLastPolicyRowAsync(NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        PolicyRow? row = null;
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        do
        {
            if (reader.FieldCount > 0 && await reader.ReadAsync(cancellationToken))
            {
                row = PolicyRow.Read(reader);
            }
        }
        while (await reader.NextResultAsync(cancellationToken));

        return row;
    }

    // Arrays + unnest make one statement of any batch, so the backstop triggers fire once per decision.
    internal static NpgsqlBatchCommand EnrollmentInserts(Guid eventId, IReadOnlyList<EnrollmentChange> inserts) => new(
        """
        INSERT INTO enrollments (id, event_id, user_id, status, waitlist_position, request_id, created_at, updated_at)
        SELECT id, $1, user_id, status, position, request_id, at, at
          FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::int[], $6::uuid[], $7::timestamptz[])
               AS d(id, user_id, status, position, request_id, at)
        """)
    {
        Parameters =
        {
            new NpgsqlParameter<Guid> { TypedValue = eventId },
            new NpgsqlParameter<Guid[]> { TypedValue = inserts.Select(change => change.After.Id).ToArray() },
            new NpgsqlParameter<Guid[]> { TypedValue = inserts.Select(change => change.After.UserId).ToArray() },
            new NpgsqlParameter<string[]> { TypedValue = inserts.Select(change => change.After.Status.ToName()).ToArray() },
            new NpgsqlParameter<int?[]> { TypedValue = inserts.Select(change => change.After.WaitlistPosition).ToArray() },
            new NpgsqlParameter<Guid?[]> { TypedValue = inserts.Select(change => change.RequestId).ToArray() },
            new NpgsqlParameter<DateTimeOffset[]> { TypedValue = inserts.Select(change => change.At).ToArray() },
        },
    };

    // Each row only moves from the status the decider saw; a row that moved meanwhile is not matched and is counted.
    private static NpgsqlBatchCommand EnrollmentUpdates(Guid eventId, IReadOnlyList<EnrollmentChange> updates) => new(
        """
        UPDATE enrollments e
           SET status = d.status, updated_at = d.at
          FROM unnest($2::uuid[], $3::text[], $4::text[], $5::timestamptz[]) AS d(id, from_status, status, at)
         WHERE e.id = d.id AND e.event_id = $1 AND e.status = d.from_status
        """)
    {
        Parameters =
        {
            new NpgsqlParameter<Guid> { TypedValue = eventId },
            new NpgsqlParameter<Guid[]> { TypedValue = updates.Select(change => change.After.Id).ToArray() },
            new NpgsqlParameter<string[]> { TypedValue = updates.Select(change => change.From!.Value.ToName()).ToArray() },
            new NpgsqlParameter<string[]> { TypedValue = updates.Select(change => change.After.Status.ToName()).ToArray() },
            new NpgsqlParameter<DateTimeOffset[]> { TypedValue = updates.Select(change => change.At).ToArray() },
        },
    };

    internal static NpgsqlBatchCommand TransitionInserts(Guid eventId, IReadOnlyList<EnrollmentChange> changes) => new(
        """
        INSERT INTO enrollment_transitions (enrollment_id, event_id, from_status, to_status, reason, actor_id, request_id, occurred_at)
        SELECT id, $1, from_status, to_status, reason, actor_id, request_id, at
          FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::uuid[], $8::timestamptz[])
               WITH ORDINALITY AS d(id, from_status, to_status, reason, actor_id, request_id, at, n)
         ORDER BY n
        """)
    {
        Parameters =
        {
            new NpgsqlParameter<Guid> { TypedValue = eventId },
            new NpgsqlParameter<Guid[]> { TypedValue = changes.Select(change => change.After.Id).ToArray() },
            new NpgsqlParameter<string?[]> { TypedValue = changes.Select(change => change.From?.ToName()).ToArray() },
            new NpgsqlParameter<string[]> { TypedValue = changes.Select(change => change.After.Status.ToName()).ToArray() },
            new NpgsqlParameter<string[]> { TypedValue = changes.Select(change => change.Reason).ToArray() },
            new NpgsqlParameter<Guid?[]> { TypedValue = changes.Select(change => change.ActorId).ToArray() },
            new NpgsqlParameter<Guid?[]> { TypedValue = changes.Select(change => change.RequestId).ToArray() },
            new NpgsqlParameter<DateTimeOffset[]> { TypedValue = changes.Select(change => change.At).ToArray() },
        },
    };

    internal static NpgsqlBatchCommand OutboxInserts(Guid eventId, IReadOnlyList<EnrollmentChange> changes) => new(
        """
        INSERT INTO outbox (id, event_id, sequence, type, payload, occurred_at)
        SELECT id, $1, sequence, type, payload::jsonb, at
          FROM unnest($2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[]) AS d(id, sequence, type, payload, at)
        """)
    {
        Parameters =
        {
            new NpgsqlParameter<Guid> { TypedValue = eventId },
            new NpgsqlParameter<Guid[]> { TypedValue = changes.Select(change => change.Event.Id).ToArray() },
            new NpgsqlParameter<long[]> { TypedValue = changes.Select(change => change.Event.Sequence).ToArray() },
            new NpgsqlParameter<string[]> { TypedValue = changes.Select(change => DomainEventJson.TypeName(change.Event)).ToArray() },
            new NpgsqlParameter<string[]> { TypedValue = changes.Select(change => DomainEventJson.Serialize(change.Event)).ToArray() },
            new NpgsqlParameter<DateTimeOffset[]> { TypedValue = changes.Select(change => change.At).ToArray() },
        },
    };

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

    private static async Task<(EventCapacityState? State, PolicyRow? Row)> LoadAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid eventId, string policyQuery, CancellationToken cancellationToken)
    {
        PolicyRow? policy;
        await using (var command = new NpgsqlCommand(policyQuery, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid>("event_id", eventId));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            policy = await reader.ReadAsync(cancellationToken) ? PolicyRow.Read(reader) : null;
        }

        if (policy is null)
        {
            return (null, null);
        }

        var live = new List<Enrollment>(policy.ActiveCount + policy.WaitlistCount);
        await using (var command = new NpgsqlCommand(
            $"""
            SELECT {EnrollmentRows.Columns}
              FROM enrollments
             WHERE event_id = @event_id AND status <> 'cancelled'
            """, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid>("event_id", eventId));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                live.Add(EnrollmentRows.Read(reader, eventId));
            }
        }

        return (new EventCapacityState(
            eventId, policy.Policy, policy.ActiveCount, policy.WaitlistCount, policy.LastWaitlistPosition, policy.Version, live,
            policy.LastEventSequence), policy);
    }

    internal static CommitResult.Conflict Refused(PostgresException exception) =>
        new($"refused by the database: {exception.ConstraintName ?? exception.SqlState}: {exception.MessageText}");

    internal static bool IsRefusedByBackstop(PostgresException exception) =>
        exception.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.CheckViolation or PostgresErrorCodes.ForeignKeyViolation
            or PostgresErrorCodes.SerializationFailure;

    private const string PolicyColumns =
        """
        SELECT capacity, has_waitlist, active_count, waitlist_count, last_waitlist_position, version,
               (SELECT coalesce(max(sequence), 0) FROM outbox WHERE outbox.event_id = enrollment_policies.event_id)
          FROM enrollment_policies
        """;

    private const string PolicyQuery = PolicyColumns + " WHERE event_id = @event_id";

    internal sealed record PolicyRow(
        EnrollmentPolicy Policy, int ActiveCount, int WaitlistCount, int LastWaitlistPosition, long Version, long LastEventSequence)
    {
        public static PolicyRow Read(NpgsqlDataReader reader) => new(
            new EnrollmentPolicy(reader.IsDBNull(0) ? null : reader.GetInt32(0), reader.GetBoolean(1)),
            reader.GetInt32(2),
            reader.GetInt32(3),
            reader.GetInt32(4),
            reader.GetInt64(5),
            reader.GetInt64(6));
    }
}
