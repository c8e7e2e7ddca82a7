using Npgsql;

namespace OrleansEnrollment.Enrollments;

/// <summary>Which events hold an offer past its deadline: the question the offer-expiry poller asks every tick.</summary>
public sealed class ExpiredOffers(NpgsqlDataSource dataSource)
{
    /// <summary>Up to <paramref name="limit"/> events with an offer whose deadline is at or before <paramref name="now"/>.</summary>
    public async Task<IReadOnlyList<Guid>> FindEventsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        // A partial index on offered rows answers this without reading the rest of the table (migration 0013).
        await using var command = dataSource.CreateCommand(
            "SELECT DISTINCT event_id FROM enrollments WHERE status = 'offered' AND offer_expires_at <= $1 LIMIT $2");
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var events = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(reader.GetGuid(0));
        }

        return events;
    }
}
