using Npgsql;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Outbox;

namespace OrleansEnrollment.Database;

/// <summary>
/// The statements that write one group of decisions, in the order the decisions were taken. The backstop's triggers
/// check every statement as it lands; every step of a valid sequence of decisions leaves a valid state, so a group
/// written in decision order passes them whatever its mix. The same group sorted by kind need not: a newcomer inserted
/// before the cancellation that freed their seat would exceed the capacity, an attendance written in the same UPDATE
/// as the check-in before it would find the row not yet checked in.
/// </summary>
internal static class DecisionStatements
{
    /// <summary>Adds the group's statements to <paramref name="batch"/>: the new policy first (a policy change opens its group), then each run of enrollment changes, then the audit rows and domain events.</summary>
    public static void AddTo(NpgsqlBatch batch, Guid eventId, DecisionWrite write)
    {
        if (write.NewPolicy is { } policy)
        {
            batch.BatchCommands.Add(PolicyUpdate(eventId, policy));
        }

        foreach (var run in Runs(write.Changes))
        {
            batch.BatchCommands.Add(run[0].From is null ? Inserts(eventId, run) : Moves(eventId, run));
        }

        if (write.Changes.Count > 0)
        {
            // after every enrollment they name exists; in decision order, so the audit trail reads in that order
            batch.BatchCommands.Add(Transitions(eventId, write.Changes));
            batch.BatchCommands.Add(Outbox(eventId, write.Changes));
        }
    }

    /// <summary>
    /// Consecutive changes of one kind (new enrollments, or status changes) share one statement, so a group of a
    /// hundred newcomers costs one trigger run, not a hundred. A run ends where the kind changes or an enrollment
    /// would appear in it twice: one UPDATE moves a row once.
    /// </summary>
    public static IEnumerable<IReadOnlyList<EnrollmentChange>> Runs(IReadOnlyList<EnrollmentChange> changes)
    {
        var run = new List<EnrollmentChange>();
        var inRun = new HashSet<Guid>();
        foreach (var change in changes)
        {
            if (run.Count > 0 && ((run[0].From is null) != (change.From is null) || inRun.Contains(change.After.Id)))
            {
                yield return run;
                run = [];
                inRun.Clear();
            }

            run.Add(change);
            inRun.Add(change.After.Id);
        }

        if (run.Count > 0)
        {
            yield return run;
        }
    }

    private static NpgsqlBatchCommand PolicyUpdate(Guid eventId, EnrollmentPolicy policy)
    {
        var update = new NpgsqlBatchCommand(
            $"UPDATE enrollment_policies SET {PolicyColumns.Assignments(2)}, version = version + 1, updated_at = now() WHERE event_id = $1")
        {
            Parameters = { new NpgsqlParameter<Guid> { TypedValue = eventId } },
        };
        foreach (var parameter in PolicyColumns.Parameters(policy))
        {
            update.Parameters.Add(parameter);
        }

        return update;
    }

    // Arrays + unnest make one statement of any run, so the backstop triggers fire once per run.
    private static NpgsqlBatchCommand Inserts(Guid eventId, IReadOnlyList<EnrollmentChange> inserts) => new(
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

    // Each row moves only from the status its decider saw; expect_enrollments_moved (migration 0011) refuses the
    // statement when a row had moved meanwhile. SELECT FROM: a result without columns, like every write of a batch.
    private static NpgsqlBatchCommand Moves(Guid eventId, IReadOnlyList<EnrollmentChange> moves) => new(
        """
        WITH moved AS (
            UPDATE enrollments e
               SET status = d.status, updated_at = d.at, offer_expires_at = coalesce(d.offer_expires_at, e.offer_expires_at)
              FROM unnest($2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $7::timestamptz[])
                   AS d(id, from_status, status, at, offer_expires_at)
             WHERE e.id = d.id AND e.event_id = $1 AND e.status = d.from_status
            RETURNING e.id)
        SELECT FROM expect_enrollments_moved($1, (SELECT count(*) FROM moved), $6)
        """)
    {
        Parameters =
        {
            new NpgsqlParameter<Guid> { TypedValue = eventId },
            new NpgsqlParameter<Guid[]> { TypedValue = moves.Select(change => change.After.Id).ToArray() },
            new NpgsqlParameter<string[]> { TypedValue = moves.Select(change => change.From!.Value.ToName()).ToArray() },
            new NpgsqlParameter<string[]> { TypedValue = moves.Select(change => change.After.Status.ToName()).ToArray() },
            new NpgsqlParameter<DateTimeOffset[]> { TypedValue = moves.Select(change => change.At).ToArray() },
            new NpgsqlParameter<int> { TypedValue = moves.Count },
            new NpgsqlParameter<DateTimeOffset?[]>
            {
                TypedValue = moves.Select(change => change.After.Status == EnrollmentStatus.Offered ? change.After.OfferExpiresAt : null).ToArray(),
            },
        },
    };

    private static NpgsqlBatchCommand Transitions(Guid eventId, IReadOnlyList<EnrollmentChange> changes) => new(
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

    private static NpgsqlBatchCommand Outbox(Guid eventId, IReadOnlyList<EnrollmentChange> changes) => new(
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
}
