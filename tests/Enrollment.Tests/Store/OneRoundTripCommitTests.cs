using Npgsql;
using OrleansEnrollment.Database;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Store;

/// <summary>
/// New enrollments commit in one round trip when the store has seen the policy row at the expected version; the lock
/// function of migration 0009 refuses any other row, and the old path then answers exactly as before.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class OneRoundTripCommitTests(PostgresFixture database)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static EnrollmentDecision.Admit Admit(EventCapacityState state)
    {
        var admit = Assert.IsType<EnrollmentDecision.Admit>(state.Decide(new EnrollmentRequest(Guid.NewGuid(), Guid.NewGuid(), Now)));
        state.Apply(admit);
        return admit;
    }

    private static DecisionWrite Write(params IEnumerable<EnrollmentDecision.Admit> admits) => new(admits.Select(admit => admit.Change).ToList());

    [Fact]
    public async Task The_lock_function_refuses_a_row_that_differs_in_any_column_it_checks()
    {
        var evt = await database.CreateEventAsync(capacity: 5, hasWaitlist: true);
        // version, capacity, has_waitlist, active_count, last_waitlist_position, last outbox sequence
        object?[] asLoaded = [0L, 5, true, 0, 0, 0L];
        await LockAsync(evt.Id, asLoaded);

        for (var column = 0; column < asLoaded.Length; column++)
        {
            var differing = (object?[])asLoaded.Clone();
            differing[column] = asLoaded[column] switch
            {
                long number => number + 1,
                int number => number + 1,
                bool flag => !flag,
                _ => throw new InvalidOperationException(),
            };
            var refusal = await Assert.ThrowsAsync<PostgresException>(() => LockAsync(evt.Id, differing));
            Assert.Equal(OneRoundTripCommit.NotAsExpected, refusal.SqlState);
        }

        var unknown = await Assert.ThrowsAsync<PostgresException>(() => LockAsync(Guid.NewGuid(), asLoaded));
        Assert.Equal(OneRoundTripCommit.NotAsExpected, unknown.SqlState);
    }

    [Fact]
    public async Task New_enrollments_on_a_row_the_store_has_seen_are_sent_as_one_batch_behind_the_lock()
    {
        var evt = await database.CreateEventAsync(capacity: 5, hasWaitlist: true);
        var state = (await database.Store.LoadAsync(evt.Id))!;
        // Hold the row lock elsewhere, so the commit's batch is caught waiting in the lock function.
        await using var holder = await database.DataSource.OpenConnectionAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("SELECT 1 FROM enrollment_policies WHERE event_id = $1 FOR UPDATE", holder, holding))
        {
            hold.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = evt.Id });
            await hold.ExecuteScalarAsync();
        }

        var commit = database.Store.CommitAsync(evt.Id, state.Version, Write(Admit(state)));
        var waiting = false;
        for (var attempt = 0; attempt < 100 && !waiting; attempt++)
        {
            await using var activity = database.DataSource.CreateCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%lock_policy_as_expected%'");
            waiting = (long)(await activity.ExecuteScalarAsync())! > 0;
            await Task.Delay(50);
        }

        await holding.RollbackAsync();
        Assert.True(waiting, "the commit never waited in lock_policy_as_expected");
        Assert.IsType<CommitResult.Committed>(await commit);
        Assert.Single(await database.Queries.ListAsync(evt.Id));
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
    }

    [Fact]
    public async Task A_store_whose_row_is_stale_writes_nothing_and_reports_the_old_paths_conflict()
    {
        var evt = await database.CreateEventAsync(capacity: 3, hasWaitlist: true);
        var mine = (await database.Store.LoadAsync(evt.Id))!;
        // another silo's store commits first
        var otherStore = new PostgresEnrollmentStore(database.DataSource);
        var theirs = (await otherStore.LoadAsync(evt.Id))!;
        Assert.IsType<CommitResult.Committed>(await otherStore.CommitAsync(evt.Id, theirs.Version, Write(Admit(theirs))));

        var result = await database.Store.CommitAsync(evt.Id, mine.Version, Write(Admit(mine)));

        Assert.Contains("stale", Assert.IsType<CommitResult.Conflict>(result).Reason);
        Assert.Single(await database.Queries.ListAsync(evt.Id));
        Assert.Single(await database.Queries.ListTransitionsAsync(evt.Id));
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
    }

    [Fact]
    public async Task A_row_changed_without_a_new_version_is_caught_by_the_lock_and_judged_on_the_locked_row()
    {
        var evt = await database.CreateEventAsync(capacity: 1, hasWaitlist: true);
        var state = (await database.Store.LoadAsync(evt.Id))!;
        var committed = Assert.IsType<CommitResult.Committed>(await database.Store.CommitAsync(evt.Id, state.Version, Write(Admit(state))));
        state.MarkCommitted(committed.Version);
        // a writer that bypasses the store: a second seat, same version
        await using (var raise = database.DataSource.CreateCommand("UPDATE enrollment_policies SET capacity = 2 WHERE event_id = $1"))
        {
            raise.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = evt.Id });
            await raise.ExecuteNonQueryAsync();
        }

        // The store still believes in one seat, so it waitlists; the locked row has a free seat.
        var waitlisted = Admit(state);
        Assert.Equal(EnrollmentStatus.Waitlisted, waitlisted.Enrollment.Status);
        var result = await database.Store.CommitAsync(evt.Id, state.Version, Write(waitlisted));

        Assert.Contains("the database decides Confirm", Assert.IsType<CommitResult.Conflict>(result).Reason);
        Assert.Single(await database.Queries.ListAsync(evt.Id));
    }

    [Fact]
    public async Task A_backstop_refusal_in_the_one_round_trip_writes_nothing_and_the_next_commit_goes_through()
    {
        var evt = await database.CreateEventAsync(capacity: 10, hasWaitlist: true);
        var state = (await database.Store.LoadAsync(evt.Id))!;
        var first = Admit(state);
        Assert.IsType<CommitResult.Committed>(await database.Store.CommitAsync(evt.Id, state.Version, Write(first)));
        var version = state.Version + 1;

        // The check does not look at ids, so a reused enrollment id reaches the database: its primary key refuses it.
        var fresh = (await database.Store.LoadAsync(evt.Id))!;
        Assert.Equal(version, fresh.Version);
        var second = Admit(fresh);
        var reusedId = second with { Change = second.Change with { After = second.Enrollment with { Id = first.Enrollment.Id } } };
        var refused = await database.Store.CommitAsync(evt.Id, fresh.Version, Write(reusedId));

        Assert.IsType<CommitResult.Conflict>(refused);
        Assert.Single(await database.Queries.ListAsync(evt.Id));
        Assert.Single(await database.Queries.ListTransitionsAsync(evt.Id));
        var after = (await database.Store.LoadAsync(evt.Id))!;
        Assert.Equal(version, after.Version);
        Assert.Equal(1, after.LastEventSequence);

        var third = Admit(after);
        Assert.IsType<CommitResult.Committed>(await database.Store.CommitAsync(evt.Id, after.Version, Write(third)));
        Assert.Equal(2, (await database.Queries.ListAsync(evt.Id)).Count);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
    }

    private async Task LockAsync(Guid eventId, object?[] expected)
    {
        await using var command = database.DataSource.CreateCommand("SELECT lock_policy_as_expected($1, $2, $3, $4, $5, $6, $7)");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        foreach (var value in expected)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync();
    }
}
