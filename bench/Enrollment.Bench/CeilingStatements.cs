using Npgsql;
using NpgsqlTypes;

namespace OrleansEnrollment.Bench;

/// <summary>
/// The statements of the ceiling's commit, per event of a transaction, in the order the store sends them: lock the
/// policy row as expected (migration 0009), insert the group's enrollments, their audit rows and their outbox rows
/// (one unnest statement each, so the statement-level triggers of migrations 0003 and 0013 update the policy row's
/// counters and version once per group), then read the row back. No grain decides and no bus carries anything: this is
/// the database's share of an enrollment, with the same tables, triggers and constraints.
/// </summary>
public static class CeilingStatements
{
    public static void AddTo(NpgsqlBatch batch, CeilingGroup group)
    {
        var eventId = group.Event.Id;
        batch.BatchCommands.Add(LockAsExpected(group.Event));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            """
            INSERT INTO enrollments (id, event_id, user_id, status, waitlist_position, request_id, created_at, updated_at)
            SELECT id, $1, user_id, status, position, request_id, at, at
              FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::int[], $6::uuid[], $7::timestamptz[])
                   AS n(id, user_id, status, position, request_id, at)
            """)
        {
            Parameters =
            {
                Value(eventId), Value(group.EnrollmentIds.ToArray()), Value(group.UserIds.ToArray()), Value(group.Statuses.ToArray()),
                Value(group.Positions.ToArray()), Value(group.RequestIds.ToArray()), Value(group.At.ToArray()),
            },
        });
        // The audit rows in decision order (ORDINALITY), as the store writes them; the newcomer is the actor.
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            """
            INSERT INTO enrollment_transitions (enrollment_id, event_id, from_status, to_status, reason, actor_id, request_id, occurred_at)
            SELECT id, $1, NULL, to_status, reason, actor_id, request_id, at
              FROM unnest($2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::uuid[], $7::timestamptz[])
                   WITH ORDINALITY AS n(id, to_status, reason, actor_id, request_id, at, position)
             ORDER BY position
            """)
        {
            Parameters =
            {
                Value(eventId), Value(group.EnrollmentIds.ToArray()), Value(group.Statuses.ToArray()), Value(group.Reasons.ToArray()),
                Value(group.UserIds.ToArray()), Value(group.RequestIds.ToArray()), Value(group.At.ToArray()),
            },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            """
            INSERT INTO outbox (id, event_id, sequence, type, payload, occurred_at)
            SELECT id, $1, sequence, type, payload::jsonb, at
              FROM unnest($2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[]) AS n(id, sequence, type, payload, at)
            """)
        {
            Parameters =
            {
                Value(eventId), Value(group.DomainEventIds.ToArray()), Value(group.Sequences.ToArray()), Value(group.Types.ToArray()),
                Value(group.Payloads.ToArray()), Value(group.At.ToArray()),
            },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(CeilingEvent.RowQuery) { Parameters = { Value(eventId) } });
    }

    // Refuses (SQLSTATE EN409) unless the locked row is exactly the one the group was decided on, as for the store.
    private static NpgsqlBatchCommand LockAsExpected(CeilingEvent evt) => new("SELECT FROM lock_policy_as_expected($1, $2, $3, $4, $5, $6, $7)")
    {
        Parameters =
        {
            Value(evt.Id), Value(evt.Version),
            new NpgsqlParameter { Value = (object?)evt.Capacity ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer },
            Value(evt.HasWaitlist), Value(evt.ActiveCount), Value(evt.LastWaitlistPosition), Value(evt.LastSequence),
        },
    };

    private static NpgsqlParameter<T> Value<T>(T value) => new() { TypedValue = value };
}
