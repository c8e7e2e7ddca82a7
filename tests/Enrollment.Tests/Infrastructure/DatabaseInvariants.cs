using Npgsql;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>
/// Reads an event straight from the database and asserts every invariant the system promises, whatever path
/// wrote the rows.
/// </summary>
public static class DatabaseInvariants
{
    /// <param name="capacityWasLowered">
    /// True when an admin may have lowered the capacity below the active count: that evicts nobody, so then only new
    /// seats are refused (the triggers' job) and active ≤ capacity is not checked here.
    /// </param>
    public static async Task AssertHoldAsync(NpgsqlDataSource dataSource, Guid eventId, bool capacityWasLowered = false)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT p.capacity,
                   p.active_count,
                   p.waitlist_count,
                   p.last_waitlist_position,
                   (SELECT count(*) FROM enrollments e WHERE e.event_id = p.event_id AND e.status IN ('confirmed', 'checked_in', 'attended')),
                   (SELECT count(*) FROM enrollments e WHERE e.event_id = p.event_id AND e.status = 'waitlisted'),
                   (SELECT count(*) FROM (SELECT user_id FROM enrollments e WHERE e.event_id = p.event_id AND e.status <> 'cancelled'
                                          GROUP BY user_id HAVING count(*) > 1) duplicates),
                   (SELECT count(*) FROM (SELECT waitlist_position FROM enrollments e WHERE e.event_id = p.event_id AND waitlist_position IS NOT NULL
                                          GROUP BY waitlist_position HAVING count(*) > 1) duplicates),
                   (SELECT coalesce(max(waitlist_position), 0) FROM enrollments e WHERE e.event_id = p.event_id),
                   (SELECT count(*) FROM enrollments e WHERE e.event_id = p.event_id AND waitlist_position IS NOT NULL),
                   (SELECT count(*) FROM enrollments e WHERE e.event_id = p.event_id
                       AND NOT EXISTS (SELECT 1 FROM enrollment_transitions t WHERE t.enrollment_id = e.id AND t.from_status IS NULL)),
                   (SELECT count(*) FROM enrollments e
                       JOIN LATERAL (SELECT to_status FROM enrollment_transitions t WHERE t.enrollment_id = e.id ORDER BY t.id DESC LIMIT 1) last ON true
                     WHERE e.event_id = p.event_id AND last.to_status <> e.status)
              FROM enrollment_policies p
             WHERE p.event_id = $1
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"event {eventId} has no policy row");

        int? capacity = reader.IsDBNull(0) ? null : reader.GetInt32(0);
        var activeCounter = reader.GetInt32(1);
        var waitingCounter = reader.GetInt32(2);
        var lastPosition = reader.GetInt32(3);
        var active = reader.GetInt64(4);
        var waiting = reader.GetInt64(5);

        Assert.True(capacityWasLowered || capacity is null || active <= capacity, $"over capacity: {active} active for a capacity of {capacity}");
        Assert.Equal(active, activeCounter);
        Assert.Equal(waiting, waitingCounter);
        Assert.True(reader.GetInt64(6) == 0, "a user holds two live enrollments");
        Assert.True(reader.GetInt64(7) == 0, "a waitlist position was given twice");
        // positions are never reused: none beyond the last one given, and at most one per number
        Assert.True(reader.GetInt32(8) <= lastPosition, "a position beyond the last one given");
        Assert.True(reader.GetInt64(9) <= lastPosition, "more positions than were ever given");
        Assert.False(waiting > 0 && (capacity is null || active < capacity), $"a free seat while {waiting} wait ({active} of {capacity})");
        Assert.True(reader.GetInt64(10) == 0, "an enrollment has no audit row for its creation");
        Assert.True(reader.GetInt64(11) == 0, "an enrollment's status differs from its last audit row");
    }
}
