using Npgsql;
using OrleansEnrollment.Database;
using OrleansEnrollment.Outbox;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Events;

/// <summary>
/// A dispatch mark, and a grain's read of what it still has to emit, find their pending rows by key however long the
/// backlog has grown since their statements were prepared (migration 0026). A prepared statement that PostgreSQL
/// planned while <c>outbox_pending</c> was empty reads the whole table at every run; the test shows that trap on the
/// plain DELETE the mark used to be, then that the mark and the read do not fall into it. Sequential scans are counted
/// from the server's statistics of the one connection every statement here uses.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class PendingTablePlanTests(PostgresFixture database)
{
    private const int Backlog = 50_000;

    private const string PlainDelete =
        """
        DELETE FROM outbox_pending p
         USING unnest($1::uuid[], $2::bigint[]) AS d(event_id, sequence)
         WHERE p.event_id = d.event_id AND p.sequence = d.sequence
        """;

    [Fact]
    public async Task Marks_and_reads_prepared_on_an_empty_pending_table_go_by_key_once_a_backlog_has_grown()
    {
        // A database of its own: the pending table must be empty while the statements are planned.
        await using var isolated = await IsolatedDatabase.CreateAsync(database);
        // One connection, auto-preparing as in production, so every statement below runs on the same backend.
        await using var dataSource = EnrollmentDataSource.Create(
            new NpgsqlConnectionStringBuilder(isolated.ConnectionString) { MaxPoolSize = 1 }.ConnectionString);
        var outbox = new OutboxStore(dataSource);
        // No autovacuum: an ANALYZE between the steps would replan the control below and hide the trap.
        await ExecuteAsync(dataSource, "ALTER TABLE outbox_pending SET (autovacuum_enabled = false)");
        await ExecuteAsync(dataSource, "VACUUM ANALYZE outbox_pending");

        // Past Npgsql's auto-prepare threshold (5 uses) and PostgreSQL's switch to a generic plan (5 more).
        DispatchedEvent[] nothingWaiting = [new(Guid.NewGuid(), 1)];
        for (var run = 0; run < 20; run++)
        {
            await outbox.MarkDispatchedAsync(nothingWaiting);
            await PlainDeleteAsync(dataSource, nothingWaiting);
            await outbox.LoadUndispatchedAsync(Guid.NewGuid(), 0, 1);
        }

        await ExecuteAsync(dataSource,
            $"INSERT INTO outbox_pending (event_id, sequence, pending_since) SELECT gen_random_uuid(), 1, now() FROM generate_series(1, {Backlog})");
        var waiting = await SomeWaitingAsync(dataSource, 21); // 20 to mark, one left waiting

        var before = await SeqScansAsync(dataSource);
        await outbox.MarkDispatchedAsync(waiting[..10]);
        var afterMark = await SeqScansAsync(dataSource);
        await PlainDeleteAsync(dataSource, waiting[10..20]);
        var afterPlain = await SeqScansAsync(dataSource);
        // an event with nothing waiting, as most grains read at activation, and one with a pending row (no outbox row
        // stands behind these rows, so both read nothing: what counts here is how the rows are found)
        var nothing = await outbox.LoadUndispatchedAsync(Guid.NewGuid(), 0, 1);
        var one = await outbox.LoadUndispatchedAsync(waiting[20].EventId, 0, 10);
        var afterReads = await SeqScansAsync(dataSource);

        Assert.True(afterPlain > afterMark, "the control: a plain DELETE prepared on the empty table scans the whole backlog");
        Assert.Equal(before, afterMark);
        Assert.Equal(afterPlain, afterReads);
        Assert.Empty(nothing);
        Assert.Empty(one);
        Assert.Equal(Backlog - 20, await CountWaitingAsync(dataSource));
    }

    private static async Task PlainDeleteAsync(NpgsqlDataSource dataSource, IReadOnlyList<DispatchedEvent> marks)
    {
        await using var command = dataSource.CreateCommand(PlainDelete);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = marks.Select(mark => mark.EventId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = marks.Select(mark => mark.Sequence).ToArray() });
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<DispatchedEvent[]> SomeWaitingAsync(NpgsqlDataSource dataSource, int count)
    {
        await using var command = dataSource.CreateCommand($"SELECT event_id, sequence FROM outbox_pending LIMIT {count}");
        await using var reader = await command.ExecuteReaderAsync();
        var found = new List<DispatchedEvent>();
        while (await reader.ReadAsync())
        {
            found.Add(new DispatchedEvent(reader.GetGuid(0), reader.GetInt64(1)));
        }

        return [.. found];
    }

    /// <summary>Sequential scans of outbox_pending so far, this backend's included: its pending counts are flushed first.</summary>
    private static async Task<long> SeqScansAsync(NpgsqlDataSource dataSource)
    {
        // The flush happens as the backend goes idle after this statement, so the next one (a new snapshot) sees it.
        await ExecuteAsync(dataSource, "SELECT pg_stat_force_next_flush()");
        await using var command = dataSource.CreateCommand("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'outbox_pending'");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> CountWaitingAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM outbox_pending");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
