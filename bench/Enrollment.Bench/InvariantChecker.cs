using Npgsql;

namespace OrleansEnrollment.Bench;

/// <summary>
/// Reads the events a scenario used straight from the database and lists every broken invariant, whichever path wrote
/// the rows (the same checks as the tests' DatabaseInvariants, for many events at once).
/// </summary>
public static class InvariantChecker
{
    /// <param name="expectedEnrollments">How many enrollments the scenario's clients were told were made.</param>
    /// <returns>One line per broken invariant; empty when all hold.</returns>
    public static async Task<IReadOnlyList<string>> CheckAsync(
        NpgsqlDataSource dataSource, string scenario, IReadOnlyCollection<Guid> eventIds, long? expectedEnrollments)
    {
        var problems = new List<string>();
        long total = 0;
        await using (var command = dataSource.CreateCommand(Query))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = eventIds.ToArray() });
            command.CommandTimeout = 300;
            await using var reader = await command.ExecuteReaderAsync();
            var seen = 0;
            while (await reader.ReadAsync())
            {
                seen++;
                var row = Row.Read(reader);
                total += row.Enrollments;
                problems.AddRange(row.Problems().Select(problem => $"{scenario}: event {row.EventId}: {problem}"));
            }

            if (seen != eventIds.Count)
            {
                problems.Add($"{scenario}: {eventIds.Count - seen} event(s) have no policy row");
            }
        }

        if (expectedEnrollments is { } expected && total != expected)
        {
            problems.Add($"{scenario}: the database holds {total} enrollment(s) but the clients were answered {expected}");
        }

        return problems;
    }

    private sealed record Row(
        Guid EventId, int? Capacity, int ActiveCounter, int WaitingCounter, int LastPosition, long Active, long Waiting,
        long Enrollments, long DuplicateUsers, long DuplicatePositions, int MaxPosition, long Positions, long WithoutAudit,
        long AuditDisagrees)
    {
        public static Row Read(NpgsqlDataReader reader) => new(
            reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4),
            reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9), reader.GetInt32(10),
            reader.GetInt64(11), reader.GetInt64(12), reader.GetInt64(13));

        public IEnumerable<string> Problems()
        {
            if (Capacity is { } capacity && Active > capacity)
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
                yield return $"a free seat while {Waiting} wait ({Active} of {Capacity} seats taken)";
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
               (SELECT count(*) FROM enrollments e WHERE e.event_id = p.event_id AND e.status IN ('confirmed', 'checked_in', 'attended')),
               (SELECT count(*) FROM enrollments e WHERE e.event_id = p.event_id AND e.status = 'waitlisted'),
               (SELECT count(*) FROM enrollments e WHERE e.event_id = p.event_id),
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
