using Npgsql;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>The outbox, inbox and notifications of one event, read straight from the database.</summary>
public sealed record OutboxState(long Rows, long Undispatched, long MinSequence, long MaxSequence, long Notifications, long DistinctNotified, long InboxRows)
{
    public static async Task<OutboxState> ReadAsync(NpgsqlDataSource dataSource, Guid eventId)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT (SELECT count(*) FROM outbox WHERE event_id = $1),
                   (SELECT count(*) FROM outbox_pending WHERE event_id = $1),
                   (SELECT coalesce(min(sequence), 0) FROM outbox WHERE event_id = $1),
                   (SELECT coalesce(max(sequence), 0) FROM outbox WHERE event_id = $1),
                   (SELECT count(*) FROM notifications WHERE event_id = $1),
                   (SELECT count(DISTINCT source_message_id) FROM notifications WHERE event_id = $1),
                   (SELECT count(*) FROM inbox i JOIN outbox o ON o.id = i.message_id WHERE o.event_id = $1)
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new OutboxState(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
            reader.GetInt64(5), reader.GetInt64(6));
    }

    /// <summary>Every committed transition reached the bus and was consumed exactly once in effect.</summary>
    public static async Task AssertDeliveredExactlyOnceAsync(NpgsqlDataSource dataSource, Guid eventId, int transitions, TimeSpan timeout)
    {
        await Eventually.HoldsAsync(
            async () => await ReadAsync(dataSource, eventId) is { Undispatched: 0 } state && state.Notifications >= transitions,
            timeout, $"{transitions} domain events dispatched and turned into notifications");

        var settled = await ReadAsync(dataSource, eventId);
        Assert.Equal(new OutboxState(transitions, 0, 1, transitions, transitions, transitions, transitions), settled);
    }
}
