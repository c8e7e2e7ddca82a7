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
}
