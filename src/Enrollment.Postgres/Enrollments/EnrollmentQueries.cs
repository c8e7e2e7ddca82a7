using Npgsql;
using OrleansEnrollment.Database;

namespace OrleansEnrollment.Enrollments;

/// <summary>The named subsets of an event's enrollments (the original model's scopes).</summary>
public enum EnrollmentScope
{
    All,
    Confirmed,
    Waitlisted,

    /// <summary>Confirmed, checked in or attended: the ones holding a seat.</summary>
    Active,
}

/// <summary>One row of an enrollment's audit trail.</summary>
public sealed record EnrollmentTransition(
    long Id, Guid EnrollmentId, Guid EventId, EnrollmentStatus? From, EnrollmentStatus To, string Reason, Guid? ActorId, Guid? RequestId,
    DateTimeOffset OccurredAt);

/// <summary>
/// Read-only queries over committed enrollments, for reports, tests and tools. Decisions never read through
/// here: the event's grain holds the state it decides on.
/// </summary>
public sealed class EnrollmentQueries(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<Enrollment>> ListAsync(Guid eventId, EnrollmentScope scope = EnrollmentScope.All, CancellationToken cancellationToken = default)
    {
        var filter = scope switch
        {
            EnrollmentScope.All => "",
            EnrollmentScope.Confirmed => " AND status = 'confirmed'",
            EnrollmentScope.Waitlisted => " AND status = 'waitlisted'",
            EnrollmentScope.Active => " AND status IN ('confirmed', 'checked_in', 'attended', 'offered')",
            _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, null),
        };

        // waiting people in arrival order, then everyone else in enrollment order
        await using var command = dataSource.CreateCommand(
            $"SELECT {EnrollmentRows.Columns} FROM enrollments WHERE event_id = $1" + filter +
            " ORDER BY (status <> 'waitlisted'), waitlist_position, created_at, id");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });

        var enrollments = new List<Enrollment>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            enrollments.Add(EnrollmentRows.Read(reader, eventId));
        }

        return enrollments;
    }

    /// <summary>
    /// Every enrollment of the event and the sequence of the last domain event already reflected in them, read in one
    /// snapshot: a roster starts from here and applies the stream from the next sequence on.
    /// </summary>
    public async Task<(IReadOnlyList<Enrollment> Enrollments, long LastSequence)> LoadRosterAsync(Guid eventId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT coalesce(max(sequence), 0) FROM outbox WHERE event_id = $1", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        var lastSequence = (long)(await command.ExecuteScalarAsync(cancellationToken))!;

        var enrollments = new List<Enrollment>();
        await using var list = new NpgsqlCommand(
            $"SELECT {EnrollmentRows.Columns} FROM enrollments WHERE event_id = $1 ORDER BY created_at, id",
            connection, transaction);
        list.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                enrollments.Add(EnrollmentRows.Read(reader, eventId));
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return (enrollments, lastSequence);
    }

    /// <summary>A user's enrollments across events, newest first; waiting ones carry their rank among the people still waiting.</summary>
    public async Task<IReadOnlyList<Enrollment>> ListForUserAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT e.id, e.event_id, e.status, e.waitlist_position, e.created_at,
                   CASE WHEN e.status = 'waitlisted' THEN
                       (SELECT count(*)::int FROM enrollments w
                         WHERE w.event_id = e.event_id AND w.status = 'waitlisted' AND w.waitlist_position <= e.waitlist_position)
                   END,
                   e.offer_expires_at
              FROM enrollments e
             WHERE e.user_id = $1
             ORDER BY e.created_at DESC, e.id
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });

        var enrollments = new List<Enrollment>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            enrollments.Add(new Enrollment(
                reader.GetGuid(0), reader.GetGuid(1), userId, EnrollmentStatusNames.Parse(reader.GetString(2)),
                reader.IsDBNull(3) ? null : reader.GetInt32(3), reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetInt32(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return enrollments;
    }

    /// <summary>One enrollment's audit trail, oldest first; empty when the enrollment is not in this event.</summary>
    public async Task<IReadOnlyList<EnrollmentTransition>> ListTransitionsForEnrollmentAsync(
        Guid eventId, Guid enrollmentId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT id, enrollment_id, event_id, from_status, to_status, reason, actor_id, request_id, occurred_at
              FROM enrollment_transitions
             WHERE enrollment_id = $1 AND event_id = $2
             ORDER BY id
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = enrollmentId });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        return await ReadTransitionsAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<EnrollmentTransition>> ListTransitionsAsync(Guid eventId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT id, enrollment_id, event_id, from_status, to_status, reason, actor_id, request_id, occurred_at
              FROM enrollment_transitions
             WHERE event_id = $1
             ORDER BY id
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        return await ReadTransitionsAsync(command, cancellationToken);
    }

    private static async Task<IReadOnlyList<EnrollmentTransition>> ReadTransitionsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var transitions = new List<EnrollmentTransition>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            transitions.Add(new EnrollmentTransition(
                reader.GetInt64(0), reader.GetGuid(1), reader.GetGuid(2),
                reader.IsDBNull(3) ? null : EnrollmentStatusNames.Parse(reader.GetString(3)),
                EnrollmentStatusNames.Parse(reader.GetString(4)),
                reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetGuid(6),
                reader.IsDBNull(7) ? null : reader.GetGuid(7),
                reader.GetFieldValue<DateTimeOffset>(8)));
        }

        return transitions;
    }
}
