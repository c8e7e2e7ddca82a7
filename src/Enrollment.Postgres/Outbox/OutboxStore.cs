using Npgsql;
using OrleansEnrollment.DomainEvents;

namespace OrleansEnrollment.Outbox;

/// <summary>
/// Reads and marks the outbox. Rows are written by <see cref="Database.PostgresEnrollmentStore"/> in the
/// decision's own transaction; everything here happens after that commit.
/// </summary>
public sealed class OutboxStore(NpgsqlDataSource dataSource)
{
    /// <summary>An event's domain events after <paramref name="afterSequence"/> that the bus has not confirmed yet, oldest first.</summary>
    public async Task<IReadOnlyList<EnrollmentEvent>> LoadUndispatchedAsync(
        Guid eventId, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT type, payload::text
              FROM outbox
             WHERE event_id = $1 AND dispatched_at IS NULL AND sequence > $2
             ORDER BY sequence
             LIMIT $3
            """);
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

    public async Task MarkDispatchedAsync(IReadOnlyCollection<Guid> domainEventIds, CancellationToken cancellationToken = default)
    {
        if (domainEventIds.Count == 0)
        {
            return;
        }

        await using var command = dataSource.CreateCommand(
            "UPDATE outbox SET dispatched_at = now() WHERE id = ANY($1) AND dispatched_at IS NULL");
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = domainEventIds.ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Events holding a domain event that has waited longer than <paramref name="olderThan"/> for the bus.</summary>
    public async Task<IReadOnlyList<Guid>> FindEventsWithOverdueAsync(TimeSpan olderThan, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT event_id
              FROM outbox
             WHERE dispatched_at IS NULL AND occurred_at < now() - $1
             GROUP BY event_id
             ORDER BY min(occurred_at)
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
    /// Domain events of the given types that were dispatched longer than <paramref name="consumedWithin"/> ago, committed
    /// within <paramref name="window"/>, and still have no row in <paramref name="consumer"/>'s inbox: marked undispatched
    /// again, so the relay path (the event's grain, in sequence order) emits them once more. Returns their events' ids.
    /// </summary>
    /// <remarks>
    /// One statement, so finding and releasing cannot be split by a consume. SKIP LOCKED lets every silo run it at once
    /// without waiting on each other or on the bridge's marks; a row another silo is releasing is simply skipped.
    /// </remarks>
    public async Task<IReadOnlyList<Guid>> ReleaseUnconsumedAsync(
        string consumer, IReadOnlyCollection<string> types, TimeSpan consumedWithin, TimeSpan window, int limit,
        CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            UPDATE outbox o
               SET dispatched_at = NULL
              FROM (SELECT c.id
                      FROM outbox c
                     WHERE c.dispatched_at IS NOT NULL
                       AND c.occurred_at > now() - $4
                       AND c.dispatched_at < now() - $3
                       AND c.type = ANY($2)
                       AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.consumer = $1 AND i.message_id = c.id)
                     ORDER BY c.occurred_at
                     LIMIT $5
                       FOR UPDATE SKIP LOCKED) unconsumed
             WHERE o.id = unconsumed.id
            RETURNING o.event_id
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
