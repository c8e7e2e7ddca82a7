using Npgsql;
using OrleansEnrollment.DomainEvents;

namespace OrleansEnrollment.Outbox;

/// <summary>
/// Reads and marks the outbox. Rows are written by <see cref="Database.PostgresEnrollmentStore"/> in the
/// decision's own transaction; everything here happens after that commit. What still waits for the bus is the
/// <c>outbox_pending</c> table (a row per domain event, written with its outbox row by the database's trigger): marking
/// a domain event dispatched deletes its pending row, releasing it again inserts one.
/// </summary>
public sealed class OutboxStore(NpgsqlDataSource dataSource)
{
    /// <summary>An event's domain events after <paramref name="afterSequence"/> that the bus has not confirmed yet, oldest first.</summary>
    public async Task<IReadOnlyList<EnrollmentEvent>> LoadUndispatchedAsync(
        Guid eventId, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        // In sequence order; planned at each call on the pending table as it is then (migration 0026).
        await using var command = dataSource.CreateCommand("SELECT type, payload FROM undispatched_events($1, $2, $3)");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSequence });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });

        var events = new List<EnrollmentEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(DomainEventJson.Deserialize(reader.GetString(0), reader.GetString(1)));
        }

        return events;
    }

    /// <summary>
    /// Marks domain events dispatched, each named by its event and sequence (the pending table's key), in one statement.
    /// One already marked is skipped.
    /// </summary>
    public async Task MarkDispatchedAsync(IReadOnlyList<DispatchedEvent> dispatched, CancellationToken cancellationToken = default)
    {
        if (dispatched.Count == 0)
        {
            return;
        }

        var eventIds = new Guid[dispatched.Count];
        var sequences = new long[dispatched.Count];
        for (var i = 0; i < dispatched.Count; i++)
        {
            (eventIds[i], sequences[i]) = (dispatched[i].EventId, dispatched[i].Sequence);
        }

        // Planned at each call on the table as it is then (migration 0026), not once on a table that was empty.
        await using var command = dataSource.CreateCommand("SELECT mark_events_dispatched($1, $2)");
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = eventIds });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = sequences });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Events holding a domain event that has waited longer than <paramref name="olderThan"/> for the bus.</summary>
    public async Task<IReadOnlyList<Guid>> FindEventsWithOverdueAsync(TimeSpan olderThan, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT event_id
              FROM outbox_pending
             WHERE pending_since < now() - $1
             GROUP BY event_id
             ORDER BY min(pending_since)
             LIMIT $2
            """);
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = olderThan });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });

        var eventIds = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            eventIds.Add(reader.GetGuid(0));
        }

        return eventIds;
    }

    /// <summary>
    /// Domain events of the given types that were committed within <paramref name="window"/> but longer than
    /// <paramref name="consumedWithin"/> ago (and released, if ever, longer than that ago), are dispatched, and still
    /// have no row in <paramref name="consumer"/>'s inbox: marked undispatched again, so the relay path (the event's
    /// grain, in sequence order) emits them once more. Returns their events' ids.
    /// </summary>
    /// <remarks>
    /// One statement, so finding and releasing cannot be split by a consume. SKIP LOCKED lets every silo run it at once
    /// without waiting on each other; a row another silo is releasing is simply skipped. The clock runs from the commit
    /// (or the last release), not from the dispatch, which the outbox no longer records: a domain event that reached
    /// the bus late (after an outage) may be released once while its consumer is still on it, and the consumer drops
    /// the duplicate by its id.
    /// </remarks>
    public async Task<IReadOnlyList<Guid>> ReleaseUnconsumedAsync(
        string consumer, IReadOnlyCollection<string> types, TimeSpan consumedWithin, TimeSpan window, int limit,
        CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            WITH unconsumed AS (
                SELECT c.id, c.event_id, c.sequence
                  FROM outbox c
                 WHERE c.occurred_at > now() - $4
                   AND c.occurred_at < now() - $3
                   AND (c.released_at IS NULL OR c.released_at < now() - $3)
                   AND c.type = ANY($2)
                   AND NOT EXISTS (SELECT 1 FROM outbox_pending p WHERE p.event_id = c.event_id AND p.sequence = c.sequence)
                   AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.consumer = $1 AND i.message_id = c.id)
                 ORDER BY c.occurred_at
                 LIMIT $5
                   FOR UPDATE SKIP LOCKED
            ), released AS (
                UPDATE outbox o SET released_at = now() FROM unconsumed WHERE o.id = unconsumed.id
            )
            INSERT INTO outbox_pending (event_id, sequence, pending_since)
            SELECT event_id, sequence, now() FROM unconsumed
                ON CONFLICT DO NOTHING
            RETURNING event_id
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = consumer });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = types.ToArray() });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = consumedWithin });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = window });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });

        var eventIds = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            eventIds.Add(reader.GetGuid(0));
        }

        return eventIds.ToList();
    }
}
