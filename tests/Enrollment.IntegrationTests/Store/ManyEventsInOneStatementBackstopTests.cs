using Npgsql;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Store;

/// <summary>
/// One INSERT carrying enrollments of several events (a shared transaction's shape) is counted and checked per event
/// by the insert trigger: each event's counters move by its own rows, and an event that breaks a rule refuses the whole
/// statement with that rule, writing nothing for any event.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ManyEventsInOneStatementBackstopTests(PostgresFixture database)
{
    [Fact]
    public async Task Each_event_of_the_statement_counts_its_own_rows()
    {
        var open = await database.CreateEventAsync(capacity: 5, hasWaitlist: false);
        var full = await database.CreateEventAsync(capacity: 1, hasWaitlist: true);
        var unlimited = await database.CreateEventAsync(capacity: null, hasWaitlist: false);

        await InsertAsync(
            (open.Id, "confirmed", null), (full.Id, "confirmed", null), (unlimited.Id, "confirmed", null), (open.Id, "confirmed", null),
            (full.Id, "waitlisted", 1), (full.Id, "waitlisted", 2), (unlimited.Id, "confirmed", null));

        Assert.Equal((2, 0, 0, 1L), await CountersAsync(open.Id)); // one statement, one version per event
        Assert.Equal((1, 2, 2, 1L), await CountersAsync(full.Id));
        Assert.Equal((2, 0, 0, 1L), await CountersAsync(unlimited.Id));
        foreach (var evt in new[] { open, full, unlimited })
        {
            await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
        }
    }

    [Theory]
    [InlineData(1, false, "confirmed,confirmed", "enrollment_capacity")]
    [InlineData(1, true, "confirmed,waitlisted:2", "enrollment_waitlist_fifo")]
    [InlineData(2, true, "confirmed,waitlisted:1", "enrollment_waitlist_only_when_full")]
    [InlineData(1, false, "confirmed,waitlisted:1", "enrollment_waitlist_only_when_full")]
    public async Task The_event_that_breaks_a_rule_refuses_the_statement_for_every_event(
        int capacity, bool hasWaitlist, string brokenRows, string constraint)
    {
        var before = await database.CreateEventAsync(capacity: 5, hasWaitlist: true);
        var broken = await database.CreateEventAsync(capacity: capacity, hasWaitlist: hasWaitlist);
        var after = await database.CreateEventAsync(capacity: 5, hasWaitlist: false);
        var rows = new List<(Guid, string, int?)> { (before.Id, "confirmed", null), (after.Id, "confirmed", null) };
        foreach (var row in brokenRows.Split(','))
        {
            var parts = row.Split(':');
            rows.Add((broken.Id, parts[0], parts.Length > 1 ? int.Parse(parts[1]) : null));
        }

        var refused = await Assert.ThrowsAsync<PostgresException>(() => InsertAsync([.. rows]));

        Assert.Equal(constraint, refused.ConstraintName);
        Assert.Contains(broken.Id.ToString(), refused.MessageText);
        foreach (var evt in new[] { before, broken, after })
        {
            Assert.Equal(0, await RawEnrollmentSql.CountAsync(database.DataSource, "enrollments", evt.Id));
            Assert.Equal((0, 0, 0, 0L), await CountersAsync(evt.Id));
        }
    }

    /// <summary>New enrollments of any events in one INSERT, with their audit rows, as a careless writer might send them.</summary>
    private async Task InsertAsync(params (Guid EventId, string Status, int? Position)[] rows)
    {
        await using var command = database.DataSource.CreateCommand(
            """
            WITH inserted AS (
                INSERT INTO enrollments (id, event_id, user_id, status, waitlist_position, created_at, updated_at)
                SELECT gen_random_uuid(), event_id, gen_random_uuid(), status, position, now(), now()
                  FROM unnest($1::uuid[], $2::text[], $3::int[]) AS r(event_id, status, position)
                RETURNING id, event_id, status)
            INSERT INTO enrollment_transitions (enrollment_id, event_id, from_status, to_status, reason, occurred_at)
            SELECT id, event_id, NULL, status, 'raw test insert', now() FROM inserted
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = rows.Select(row => row.EventId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = rows.Select(row => row.Status).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<int?[]> { TypedValue = rows.Select(row => row.Position).ToArray() });
        await command.ExecuteNonQueryAsync();
    }

    private async Task<(int Active, int Waiting, int LastPosition, long Version)> CountersAsync(Guid eventId)
    {
        await using var command = database.DataSource.CreateCommand(
            "SELECT active_count, waitlist_count, last_waitlist_position, version FROM enrollment_policies WHERE event_id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt64(3));
    }
}
