using Npgsql;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Outbox;

namespace OrleansEnrollment.Database;

/// <summary>One event's group of decisions, as a transaction writes it.</summary>
internal sealed record EventWrite(Guid EventId, DecisionWrite Write);

/// <summary>
/// The statements that write groups of decisions, each group in the order its decisions were taken. The backstop's
/// triggers check every statement as it lands; every step of a valid sequence of decisions leaves a valid state, so a
/// group written in decision order passes them whatever its mix. The same group sorted by kind need not: a newcomer
/// inserted before the cancellation that freed their seat would exceed the capacity, an attendance written in the same
/// UPDATE as the check-in before it would find the row not yet checked in.
/// </summary>
/// <remarks>
/// Several events' groups in one transaction share statements: each statement kind is sent once for all of them, not
/// once per event (groups of one enrollment over many events otherwise cost five statements each). The triggers group
/// a statement's rows by event, so every event is still checked on its own. Each group's steps (its new policy, then
/// each run of changes) go out in layers — every group's first step, then every group's second — so a group's order is
/// kept while the groups' new enrollments of one layer share one INSERT.
/// </remarks>
internal static class DecisionStatements
{
    public static void AddTo(NpgsqlBatch batch, Guid eventId, DecisionWrite write) => AddTo(batch, [new EventWrite(eventId, write)]);

    /// <summary>Adds the groups' statements to <paramref name="batch"/>: their steps layer by layer, then the audit rows and domain events of all.</summary>
    public static void AddTo(NpgsqlBatch batch, IReadOnlyList<EventWrite> groups)
    {
        var steps = groups.Select(group => Steps(group.Write).ToList()).ToList();
        var layers = steps.Count == 0 ? 0 : steps.Max(groupSteps => groupSteps.Count);
        for (var layer = 0; layer < layers; layer++)
        {
            var inserts = new List<(Guid EventId, EnrollmentChange Change)>();
            for (var i = 0; i < groups.Count; i++)
            {
                if (layer >= steps[i].Count)
                {
                    continue;
                }

                var eventId = groups[i].EventId;
                switch (steps[i][layer])
                {
                    case { Policy: { } policy }:
                        batch.BatchCommands.Add(PolicyUpdate(eventId, policy));
                        break;
                    case { Run: { } run } when run[0].From is null:
                        inserts.AddRange(run.Select(change => (eventId, change)));
                        break;
                    case { Run: { } run }:
                        batch.BatchCommands.Add(Moves(eventId, run));
                        break;
                }
            }

            if (inserts.Count > 0)
            {
                batch.BatchCommands.Add(Inserts(inserts));
            }
        }

        // after every enrollment they name exists; in decision order, so each event's audit trail reads in that order
        var changes = groups.SelectMany(group => group.Write.Changes.Select(change => (group.EventId, change))).ToList();
        if (changes.Count > 0)
        {
            batch.BatchCommands.Add(Transitions(changes));
            batch.BatchCommands.Add(Outbox(changes));
        }
    }

    /// <summary>One step of a group: its new policy (a policy change opens its group), or one run of changes.</summary>
    private readonly record struct Step(EnrollmentPolicy? Policy, IReadOnlyList<EnrollmentChange>? Run);

    private static IEnumerable<Step> Steps(DecisionWrite write)
    {
        if (write.NewPolicy is { } policy)
        {
            yield return new Step(policy, null);
        }

        foreach (var run in Runs(write.Changes))
        {
            yield return new Step(null, run);
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

    // Arrays + unnest make one statement of any runs, so the backstop triggers fire once per statement (and group
    // its rows by event).
    private static NpgsqlBatchCommand Inserts(IReadOnlyList<(Guid EventId, EnrollmentChange Change)> inserts) => new(
        """
        INSERT INTO enrollments (id, event_id, user_id, status, waitlist_position, request_id, created_at, updated_at)
        SELECT id, event_id, user_id, status, position, request_id, at, at
          FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::int[], $6::uuid[], $7::timestamptz[])
               AS d(event_id, id, user_id, status, position, request_id, at)
        """)
    {
        Parameters =
        {
            new NpgsqlParameter<Guid[]> { TypedValue = inserts.Select(insert => insert.EventId).ToArray() },
            new NpgsqlParameter<Guid[]> { TypedValue = inserts.Select(insert => insert.Change.After.Id).ToArray() },
            new NpgsqlParameter<Guid[]> { TypedValue = inserts.Select(insert => insert.Change.After.UserId).ToArray() },
            new NpgsqlParameter<string[]> { TypedValue = inserts.Select(insert => insert.Change.After.Status.ToName()).ToArray() },
            new NpgsqlParameter<int?[]> { TypedValue = inserts.Select(insert => insert.Change.After.WaitlistPosition).ToArray() },
            new NpgsqlParameter<Guid?[]> { TypedValue = inserts.Select(insert => insert.Change.RequestId).ToArray() },
            new NpgsqlParameter<DateTimeOffset[]> { TypedValue = inserts.Select(insert => insert.Change.At).ToArray() },
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

    private static NpgsqlBatchCommand Transitions(IReadOnlyList<(Guid EventId, EnrollmentChange Change)> changes) => new(
        """
        INSERT INTO enrollment_transitions (enrollment_id, event_id, from_status, to_status, reason, actor_id, request_id, occurred_at)
        SELECT id, event_id, from_status, to_status, reason, actor_id, request_id, at
          FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::uuid[], $8::timestamptz[])
               WITH ORDINALITY AS d(event_id, id, from_status, to_status, reason, actor_id, request_id, at, n)
         ORDER BY n
        """)
    {
        Parameters =
        {
            new NpgsqlParameter<Guid[]> { TypedValue = changes.Select(change => change.EventId).ToArray() },
            new NpgsqlParameter<Guid[]> { TypedValue = changes.Select(change => change.Change.After.Id).ToArray() },
            new NpgsqlParameter<string?[]> { TypedValue = changes.Select(change => change.Change.From?.ToName()).ToArray() },
            new NpgsqlParameter<string[]> { TypedValue = changes.Select(change => change.Change.After.Status.ToName()).ToArray() },
            new NpgsqlParameter<string[]> { TypedValue = changes.Select(change => change.Change.Reason).ToArray() },
            new NpgsqlParameter<Guid?[]> { TypedValue = changes.Select(change => change.Change.ActorId).ToArray() },
            new NpgsqlParameter<Guid?[]> { TypedValue = changes.Select(change => change.Change.RequestId).ToArray() },
            new NpgsqlParameter<DateTimeOffset[]> { TypedValue = changes.Select(change => change.Change.At).ToArray() },
        },
    };

    private static NpgsqlBatchCommand Outbox(IReadOnlyList<(Guid EventId, EnrollmentChange Change)> changes) => new(
        """
        INSERT INTO outbox (id, event_id, sequence, type, payload, occurred_at)
        SELECT id, event_id, sequence, type, payload::jsonb, at
          FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[])
               AS d(event_id, id, sequence, type, payload, at)
        """)
    {
        Parameters =
        {
            new NpgsqlParameter<Guid[]> { TypedValue = changes.Select(change => change.EventId).ToArray() },
            new NpgsqlParameter<Guid[]> { TypedValue = changes.Select(change => change.Change.Event.Id).ToArray() },
            new NpgsqlParameter<long[]> { TypedValue = changes.Select(change => change.Change.Event.Sequence).ToArray() },
            new NpgsqlParameter<string[]> { TypedValue = changes.Select(change => DomainEventJson.TypeName(change.Change.Event)).ToArray() },
            new NpgsqlParameter<string[]> { TypedValue = changes.Select(change => DomainEventJson.Serialize(change.Change.Event)).ToArray() },
            new NpgsqlParameter<DateTimeOffset[]> { TypedValue = changes.Select(change => change.Change.At).ToArray() },
        },
    };
}
