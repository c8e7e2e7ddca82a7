using Npgsql;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>
/// Reads events straight from the database and lists every broken invariant, whichever path wrote the rows: the one
/// definition of "consistent" that the integration and system tests and the bench share.
/// </summary>
public static class EnrollmentInvariants
{
    /// <param name="capacityMayHaveBeenLowered">
    /// True when an admin may have lowered a capacity below the active count: that evicts nobody, so then only new
    /// seats are refused (the triggers' job) and active ≤ capacity is not checked.
    /// </param>
    /// <returns>One line per broken invariant, naming its event; empty when all hold.</returns>
    public static async Task<IReadOnlyList<string>> FindViolationsAsync(
        NpgsqlDataSource dataSource, IReadOnlyCollection<Guid> eventIds, bool capacityMayHaveBeenLowered = false)
    {
        var problems = new List<string>();
        await using var command = dataSource.CreateCommand(Query);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = eventIds.ToArray() });
        command.CommandTimeout = 300;
        await using var reader = await command.ExecuteReaderAsync();
        var seen = 0;
        while (await reader.ReadAsync())
        {
            seen++;
            var row = EventRow.Read(reader);
            problems.AddRange(row.Problems(capacityMayHaveBeenLowered).Select(problem => $"event {row.EventId}: {problem}"));
        }

        if (seen != eventIds.Count)
        {
            problems.Add($"{eventIds.Count - seen} event(s) have no policy row");
        }

        return problems;
    }

    /// <summary>How many enrollment rows (any status) these events hold.</summary>
    public static async Task<long> CountEnrollmentsAsync(NpgsqlDataSource dataSource, IReadOnlyCollection<Guid> eventIds)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM enrollments WHERE event_id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = eventIds.ToArray() });
        command.CommandTimeout = 300;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private sealed record EventRow(
        Guid EventId, int? Capacity, int ActiveCounter, int WaitingCounter, int LastPosition, long Active, long Waiting,
        long DuplicateUsers, long DuplicatePositions, int MaxPosition, long Positions, long WithoutAudit, long AuditDisagrees)
    {
        public static EventRow Read(NpgsqlDataReader reader) => new(
            reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4),
            reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt32(9),
            reader.GetInt64(10), reader.GetInt64(11), reader.GetInt64(12));

        public IEnumerable<string> Problems(bool capacityMayHaveBeenLowered)
        {
            if (!capacityMayHaveBeenLowered && Capacity is { } capacity && Active > capacity)
            {
                yield return $"over capacity: {Active} active for a capacity of {capacity}";
            }

            if (ActiveCounter != Active || WaitingCounter != Waiting)
            {
                yield return $"counters say {ActiveCounter} active and {WaitingCounter} waiting, the rows {Active} and {Waiting}";
            }

            if (DuplicateUsers > 0)
            {
                yield return $"{DuplicateUsers} user(s) hold two live enrollments";
            }

            if (DuplicatePositions > 0)
            {
                yield return $"{DuplicatePositions} waitlist position(s) given twice";
            }

            // positions are never reused: none beyond the last one given, and at most one per number
            if (MaxPosition > LastPosition || Positions > LastPosition)
            {
                yield return $"positions up to {MaxPosition} ({Positions} of them) but the last one given was {LastPosition}";
            }

            if (Waiting > 0 && (Capacity is null || Active < Capacity))
            {
                yield return $"a free seat while {Waiting} wait ({Active} of {Capacity?.ToString() ?? "unlimited"} seats taken)";
            }

            if (WithoutAudit > 0)
            {
                yield return $"{WithoutAudit} enrollment(s) have no audit row for their creation";
            }

            if (AuditDisagrees > 0)
            {
                yield return $"{AuditDisagrees} enrollment(s) differ from their last audit row";
            }
        }
    }

    private const string Query =
        """
        SELECT p.event_id,
               p.capacity,
               p.active_count,
               p.waitlist_count,
               p.last_waitlist_position,
               (SELECT count(*) FROM enrollments e WHERE e.event_id = p.event_id AND e.status IN ('confirmed', 'checked_in', 'attended', 'offered')),
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
         WHERE p.event_id = ANY($1)
        """;
}
