using Npgsql;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Database;

/// <summary>Reads an event's <see cref="PolicyRow"/>: the policy row's columns and the event's last outbox sequence.</summary>
internal static class PolicyRows
{
    public static readonly string Select =
        $"""
        SELECT active_count, waitlist_count, last_waitlist_position, version,
               (SELECT coalesce(max(sequence), 0) FROM outbox WHERE outbox.event_id = enrollment_policies.event_id),
               {PolicyColumns.Names()}
          FROM enrollment_policies
        """;

    public static readonly string OfEvent = Select + " WHERE event_id = $1";

    public static PolicyRow Read(NpgsqlDataReader reader) => new(
        PolicyColumns.Read(reader, 5),
        reader.GetInt32(0),
        reader.GetInt32(1),
        reader.GetInt32(2),
        reader.GetInt64(3),
        reader.GetInt64(4));

    /// <summary>The row as a transaction's own writes left it: read inside that transaction, so as it will commit.</summary>
    public static NpgsqlBatchCommand AfterWrites(Guid eventId) => new(OfEvent)
    {
        Parameters = { new NpgsqlParameter<Guid> { TypedValue = eventId } },
    };

    /// <summary>
    /// The rows of several events as the transaction's own writes left them, in the order of <paramref name="eventIds"/>:
    /// one statement for all of a shared transaction's events.
    /// </summary>
    public static NpgsqlBatchCommand AfterWrites(IReadOnlyList<Guid> eventIds) => new(
        Select + """
                  JOIN unnest($1::uuid[]) WITH ORDINALITY AS wanted(wanted_event_id, wanted_order)
                    ON wanted.wanted_event_id = enrollment_policies.event_id
                 ORDER BY wanted.wanted_order
                """)
    {
        Parameters = { new NpgsqlParameter<Guid[]> { TypedValue = [.. eventIds] } },
    };

    /// <summary>Runs the batch; the writes come back as results without columns, the policy rows as rows, in order.</summary>
    public static async Task<List<PolicyRow>> ReadAllAsync(NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        var rows = new List<PolicyRow>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        do
        {
            while (reader.FieldCount > 0 && await reader.ReadAsync(cancellationToken))
            {
                rows.Add(Read(reader));
            }
        }
        while (await reader.NextResultAsync(cancellationToken));

        return rows;
    }
}
