using Npgsql;

namespace OrleansEnrollment.Bench;

/// <summary>
/// The statements of the ceiling's commit, in the order the store sends them, one statement per kind for all the events
/// of a transaction: lock the policy rows as expected (migrations 0009 and 0024), insert the groups' enrollments, their
/// audit rows and their outbox rows (one unnest statement each, so the statement-level triggers of migrations 0003 and
/// 0013 update each event's policy row once), then read the rows back. No grain decides and no bus carries anything:
/// this is the database's share of an enrollment, with the same tables, triggers and constraints.
/// </summary>
public static class CeilingStatements
{
    public static void AddTo(NpgsqlBatch batch, IReadOnlyList<CeilingGroup> groups)
    {
        // every row of a group belongs to its event: the event id repeated once per row, as the store sends it
        Guid[] EventOfEachRow() => [.. groups.SelectMany(group => Enumerable.Repeat(group.Event.Id, group.Count))];
        T[] All<T>(Func<CeilingGroup, IEnumerable<T>> column) => [.. groups.SelectMany(column)];

        batch.BatchCommands.Add(LockAsExpected(groups));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            """
            INSERT INTO enrollments (id, event_id, user_id, status, waitlist_position, request_id, created_at, updated_at)
            SELECT id, event_id, user_id, status, position, request_id, at, at
              FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::int[], $6::uuid[], $7::timestamptz[])
                   AS n(event_id, id, user_id, status, position, request_id, at)
            """)
        {
            Parameters =
            {
                Value(EventOfEachRow()), Value(All(group => group.EnrollmentIds)), Value(All(group => group.UserIds)),
                Value(All(group => group.Statuses)), Value(All(group => group.Positions)), Value(All(group => group.RequestIds)),
                Value(All(group => group.At)),
            },
        });
        // The audit rows in decision order (ORDINALITY), as the store writes them; the newcomer is the actor.
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            """
            INSERT INTO enrollment_transitions (enrollment_id, event_id, from_status, to_status, reason, actor_id, request_id, occurred_at)
            SELECT id, event_id, NULL, to_status, reason, actor_id, request_id, at
              FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::uuid[], $7::timestamptz[])
                   WITH ORDINALITY AS n(event_id, id, to_status, reason, actor_id, request_id, at, position)
             ORDER BY position
            """)
        {
            Parameters =
            {
                Value(EventOfEachRow()), Value(All(group => group.EnrollmentIds)), Value(All(group => group.Statuses)),
                Value(All(group => group.Reasons)), Value(All(group => group.UserIds)), Value(All(group => group.RequestIds)),
                Value(All(group => group.At)),
            },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            """
            INSERT INTO outbox (id, event_id, sequence, type, payload, occurred_at)
            SELECT id, event_id, sequence, type, payload::jsonb, at
              FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[])
                   AS n(event_id, id, sequence, type, payload, at)
            """)
        {
            Parameters =
            {
                Value(EventOfEachRow()), Value(All(group => group.DomainEventIds)), Value(All(group => group.Sequences)),
                Value(All(group => group.Types)), Value(All(group => group.Payloads)), Value(All(group => group.At)),
            },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(CeilingEvent.RowsQuery) { Parameters = { Value(groups.Select(group => group.Event.Id).ToArray()) } });
    }

    // Refuses (SQLSTATE EN409) unless each locked row is exactly the one its group was decided on, as for the store.
    private static NpgsqlBatchCommand LockAsExpected(IReadOnlyList<CeilingGroup> groups)
    {
        var events = groups.Select(group => group.Event).ToList();
        return new NpgsqlBatchCommand("SELECT FROM lock_policies_as_expected($1, $2, $3, $4, $5, $6, $7)")
        {
            Parameters =
            {
                Value(events.Select(evt => evt.Id).ToArray()), Value(events.Select(evt => evt.Version).ToArray()),
                Value(events.Select(evt => evt.Capacity).ToArray()), Value(events.Select(evt => evt.HasWaitlist).ToArray()),
                Value(events.Select(evt => evt.ActiveCount).ToArray()), Value(events.Select(evt => evt.LastWaitlistPosition).ToArray()),
                Value(events.Select(evt => evt.LastSequence).ToArray()),
            },
        };
    }

    private static NpgsqlParameter<T> Value<T>(T value) => new() { TypedValue = value };
}
