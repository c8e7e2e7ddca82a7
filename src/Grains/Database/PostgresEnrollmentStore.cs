using Npgsql;
using NpgsqlTypes;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Outbox;

namespace OrleansEnrollment.Database;

/// <summary>
/// The PostgreSQL side of every decision. A commit locks the event's policy row (<c>SELECT … FOR UPDATE</c>),
/// re-checks the decisions against it, then writes enrollments and audit rows with one statement each, however
/// many decisions there are. The triggers of migration 0003 check the same rule again as the rows land.
/// </summary>
public sealed class PostgresEnrollmentStore(NpgsqlDataSource dataSource) : IEnrollmentStore
{
    public async Task<EventCapacityState?> LoadAsync(Guid eventId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // One snapshot for both reads, so the counters and version describe exactly the rows we load.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var state = await LoadAsync(connection, transaction, eventId, PolicyQuery, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return state;
    }

    public async Task<CommitResult> CommitAsync(
        Guid eventId, long expectedVersion, IReadOnlyList<EnrollmentDecision.Admit> admits, CancellationToken cancellationToken = default)
    {
        if (admits.Count == 0)
        {
            return new CommitResult.Committed(expectedVersion);
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

            if (DisagreementWith(locked, expectedVersion, admits) is { } reason)
            {
                await transaction.RollbackAsync(cancellationToken);
                return new CommitResult.Conflict(reason);
            }

            var version = await WriteAsync(connection, transaction, eventId, admits, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new CommitResult.Committed(version);
        }
        catch (PostgresException exception) when (IsRefusedByBackstop(exception))
        {
            // The constraints and triggers hold the line even when our own check above was fooled.
            await transaction.RollbackAsync(CancellationToken.None);
            return Refused(exception);
        }
    }

    public async Task<(EventCapacityState? State, CommitResult Result)> DecideUnderLockAsync(
        Guid eventId, Func<EventCapacityState, IReadOnlyList<EnrollmentDecision.Admit>> decide, CancellationToken cancellationToken = default)
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

            var state = await LoadAsync(connection, transaction, eventId, PolicyQuery, cancellationToken);
            if (state is null)
            {
                return (null, new CommitResult.Conflict("the event no longer exists"));
            }

            var admits = decide(state);
            if (admits.Count > 0)
            {
                state.MarkCommitted(await WriteAsync(connection, transaction, eventId, admits, cancellationToken));
            }

            await transaction.CommitAsync(cancellationToken);
            return (state, new CommitResult.Committed(state.Version));
        }
        catch (PostgresException exception) when (IsRefusedByBackstop(exception))
        {
            await transaction.RollbackAsync(CancellationToken.None);
            return (null, Refused(exception));
        }
    }

    public async Task<bool> ChangePolicyAsync(Guid eventId, EnrollmentPolicy policy, CancellationToken cancellationToken = default)
    {
        if (policy.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(policy));
        }

        // The UPDATE takes the same row lock as every decision, and the version bump makes any decider holding
        // the old policy stale.
        await using var command = dataSource.CreateCommand(
            """
            UPDATE enrollment_policies
               SET capacity = $2, has_waitlist = $3, version = version + 1, updated_at = now()
             WHERE event_id = $1
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)policy.Capacity ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = policy.HasWaitlist });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Replays the decisions on the locked row with the same rule the grain used. Any difference means the grain
    /// decided on a state that is not the database's, so none of its decisions may be written.
    /// </summary>
    internal static string? DisagreementWith(PolicyRow? locked, long expectedVersion, IReadOnlyList<EnrollmentDecision.Admit> admits)
    {
        if (locked is null)
        {
            return "the event no longer exists";
        }

        if (locked.Version != expectedVersion)
        {
            return $"stale state: the decider read version {expectedVersion}, the database is at {locked.Version}";
        }

        var active = locked.ActiveCount;
        var lastPosition = locked.LastWaitlistPosition;
        var lastSequence = locked.LastEventSequence;
        foreach (var admit in admits)
        {
            if (admit.Event.Sequence != ++lastSequence)
            {
                return $"domain event {admit.Event.Id} has sequence {admit.Event.Sequence}, the next one is {lastSequence}";
            }

            var verdict = EnrollmentRule.Decide(locked.Policy, active, lastPosition);
            var enrollment = admit.Enrollment;
            switch (verdict.Kind)
            {
                case VerdictKind.Confirm when enrollment.Status == EnrollmentStatus.Confirmed:
                    active++;
                    break;
                case VerdictKind.Waitlist when enrollment.Status == EnrollmentStatus.Waitlisted && enrollment.WaitlistPosition == verdict.WaitlistPosition:
                    lastPosition++;
                    break;
                default:
                    return $"the database decides {verdict.Kind} (position {verdict.WaitlistPosition}) for user {enrollment.UserId}, " +
                           $"the decider said {enrollment.Status} (position {enrollment.WaitlistPosition})";
            }
        }

        return null;
    }

    private static async Task<long> WriteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid eventId, IReadOnlyList<EnrollmentDecision.Admit> admits,
        CancellationToken cancellationToken)
    {
        var count = admits.Count;
        var ids = new Guid[count];
        var userIds = new Guid[count];
        var statuses = new string[count];
        var positions = new int?[count];
        var requestIds = new Guid[count];
        var times = new DateTimeOffset[count];
        var reasons = new string[count];
        var domainEventIds = new Guid[count];
        var sequences = new long[count];
        var types = new string[count];
        var payloads = new string[count];
        for (var i = 0; i < count; i++)
        {
            var domainEvent = admits[i].Event;
            domainEventIds[i] = domainEvent.Id;
            sequences[i] = domainEvent.Sequence;
            types[i] = DomainEventJson.TypeName(domainEvent);
            payloads[i] = DomainEventJson.Serialize(domainEvent);
            var enrollment = admits[i].Enrollment;
            ids[i] = enrollment.Id;
            userIds[i] = enrollment.UserId;
            statuses[i] = enrollment.Status.ToName();
            positions[i] = enrollment.WaitlistPosition;
            requestIds[i] = admits[i].Request.RequestId;
            times[i] = enrollment.CreatedAt;
            reasons[i] = enrollment.Status == EnrollmentStatus.Waitlisted ? "enrolled; event full, added to the waitlist" : "enrolled";
        }

        // Arrays + unnest make one statement of any batch, so the backstop triggers fire once per batch.
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(
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
                        new NpgsqlParameter<Guid[]> { TypedValue = ids },
                        new NpgsqlParameter<Guid[]> { TypedValue = userIds },
                        new NpgsqlParameter<string[]> { TypedValue = statuses },
                        new NpgsqlParameter<int?[]> { TypedValue = positions },
                        new NpgsqlParameter<Guid[]> { TypedValue = requestIds },
                        new NpgsqlParameter<DateTimeOffset[]> { TypedValue = times },
                    },
                },
                new NpgsqlBatchCommand(
                    """
                    INSERT INTO enrollment_transitions (enrollment_id, event_id, from_status, to_status, reason, actor_id, request_id, occurred_at)
                    SELECT id, $1, NULL, status, reason, user_id, request_id, at
                      FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::uuid[], $7::timestamptz[])
                           AS d(id, user_id, status, reason, request_id, at)
                    """)
                {
                    Parameters =
                    {
                        new NpgsqlParameter<Guid> { TypedValue = eventId },
                        new NpgsqlParameter<Guid[]> { TypedValue = ids },
                        new NpgsqlParameter<Guid[]> { TypedValue = userIds },
                        new NpgsqlParameter<string[]> { TypedValue = statuses },
                        new NpgsqlParameter<string[]> { TypedValue = reasons },
                        new NpgsqlParameter<Guid[]> { TypedValue = requestIds },
                        new NpgsqlParameter<DateTimeOffset[]> { TypedValue = times },
                    },
                },
                new NpgsqlBatchCommand(
                    """
                    INSERT INTO outbox (id, event_id, sequence, type, payload, occurred_at)
                    SELECT id, $1, sequence, type, payload::jsonb, at
                      FROM unnest($2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[])
                           AS d(id, sequence, type, payload, at)
                    """)
                {
                    Parameters =
                    {
                        new NpgsqlParameter<Guid> { TypedValue = eventId },
                        new NpgsqlParameter<Guid[]> { TypedValue = domainEventIds },
                        new NpgsqlParameter<long[]> { TypedValue = sequences },
                        new NpgsqlParameter<string[]> { TypedValue = types },
                        new NpgsqlParameter<string[]> { TypedValue = payloads },
                        new NpgsqlParameter<DateTimeOffset[]> { TypedValue = times },
                    },
                },
                new NpgsqlBatchCommand("SELECT version FROM enrollment_policies WHERE event_id = $1")
                {
                    Parameters = { new NpgsqlParameter<Guid> { TypedValue = eventId } },
                },
            },
        };

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        // the inserts come back as empty results; the version is the first row of the last one
        do
        {
            if (reader.FieldCount > 0 && await reader.ReadAsync(cancellationToken))
            {
                return reader.GetInt64(0);
            }
        }
        while (await reader.NextResultAsync(cancellationToken));

        throw new InvalidOperationException($"The policy row of event {eventId} vanished inside its own transaction.");
    }

    private static async Task<EventCapacityState?> LoadAsync(
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
            return null;
        }

        var live = new List<Enrollment>(policy.ActiveCount + policy.WaitlistCount);
        await using (var command = new NpgsqlCommand(
            """
            SELECT id, user_id, status, waitlist_position, created_at
              FROM enrollments
             WHERE event_id = @event_id AND status <> 'cancelled'
            """, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid>("event_id", eventId));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                live.Add(new Enrollment(
                    reader.GetGuid(0),
                    eventId,
                    reader.GetGuid(1),
                    EnrollmentStatusNames.Parse(reader.GetString(2)),
                    reader.IsDBNull(3) ? null : reader.GetInt32(3),
                    reader.GetFieldValue<DateTimeOffset>(4)));
            }
        }

        return new EventCapacityState(
            eventId, policy.Policy, policy.ActiveCount, policy.WaitlistCount, policy.LastWaitlistPosition, policy.Version, live,
            policy.LastEventSequence);
    }

    private static CommitResult.Conflict Refused(PostgresException exception) =>
        new($"refused by the database: {exception.ConstraintName ?? exception.SqlState}: {exception.MessageText}");

    private static bool IsRefusedByBackstop(PostgresException exception) =>
        exception.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.CheckViolation or PostgresErrorCodes.ForeignKeyViolation;

    private const string PolicyQuery =
        """
        SELECT capacity, has_waitlist, active_count, waitlist_count, last_waitlist_position, version,
               (SELECT coalesce(max(sequence), 0) FROM outbox WHERE outbox.event_id = enrollment_policies.event_id)
          FROM enrollment_policies
         WHERE event_id = @event_id
        """;

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
