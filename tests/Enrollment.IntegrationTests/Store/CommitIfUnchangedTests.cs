using Npgsql;
using OrleansEnrollment.Database;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Store;

/// <summary>
/// A group of decisions commits in one round trip, whatever its mix, provided the policy row is still the one it was
/// decided on: the lock function of migration 0009 refuses any other row, and a refusal anywhere in the batch writes
/// nothing.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class CommitIfUnchangedTests(PostgresFixture database)
{
    private static DecisionWrite Write(params IEnumerable<EnrollmentDecision.Admit> admits) => StoreDecider.Write(admits);

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
            Assert.Equal(CommitIfUnchanged.NotAsDecidedOn, refusal.SqlState);
        }

        var unknown = await Assert.ThrowsAsync<PostgresException>(() => LockAsync(Guid.NewGuid(), asLoaded));
        Assert.Equal(CommitIfUnchanged.NotAsDecidedOn, unknown.SqlState);
    }

    [Fact]
    public async Task A_mixed_group_is_sent_as_one_batch_behind_the_lock()
    {
        var evt = await database.CreateEventAsync(capacity: 1, hasWaitlist: true);
        var decider = await StoreDecider.LoadAsync(database.Store, evt.Id);
        var seated = decider.Admit();
        var waiting = decider.Admit();
        Assert.IsType<CommitResult.Committed>(await decider.CommitAsync(Write(seated, waiting)));

        // a cancellation with its promotion, then a newcomer who waits: held at the lock until another holder lets go
        var cancelled = decider.Take(state => state.DecideCancel(seated.Enrollment.Id, new TransitionRequest(null, Guid.NewGuid(), null), DateTimeOffset.UtcNow));
        var newcomer = decider.Admit();
        await using var holder = await PolicyRowLocks.HoldAsync(database.DataSource, evt.Id);
        var commit = decider.CommitAsync(StoreDecider.Together(cancelled, Write(newcomer)));
        var waitingPid = await PolicyRowLocks.WaitUntilWaitingInTheLockFunctionAsync(database.DataSource);
        await holder.DisposeAsync();

        Assert.IsType<CommitResult.Committed>(await commit);
        Assert.True(waitingPid > 0);
        var stored = (await database.Queries.ListAsync(evt.Id)).ToDictionary(e => e.Id, e => e.Status);
        Assert.Equal(EnrollmentStatus.Cancelled, stored[seated.Enrollment.Id]);
        Assert.Equal(EnrollmentStatus.Confirmed, stored[waiting.Enrollment.Id]);
        Assert.Equal(EnrollmentStatus.Waitlisted, stored[newcomer.Enrollment.Id]);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
    }

    [Fact]
    public async Task A_decider_whose_row_is_stale_writes_nothing()
    {
        var evt = await database.CreateEventAsync(capacity: 3, hasWaitlist: true);
        var mine = await StoreDecider.LoadAsync(database.Store, evt.Id);
        // another silo's store commits first
        var theirs = await StoreDecider.LoadAsync(new PostgresEnrollmentStore(database.DataSource), evt.Id);
        Assert.IsType<CommitResult.Committed>(await theirs.CommitAsync(Write(theirs.Admit())));

        var result = await mine.CommitAsync(Write(mine.Admit()));

        Assert.Equal(RefusalReasons.StaleState, Assert.IsType<CommitResult.Refused>(result).Reason);
        Assert.Single(await database.Queries.ListAsync(evt.Id));
        Assert.Single(await database.Queries.ListTransitionsAsync(evt.Id));
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
    }

    [Fact]
    public async Task A_row_changed_without_a_new_version_is_caught_by_the_lock()
    {
        var evt = await database.CreateEventAsync(capacity: 1, hasWaitlist: true);
        var decider = await StoreDecider.LoadAsync(database.Store, evt.Id);
        Assert.IsType<CommitResult.Committed>(await decider.CommitAsync(Write(decider.Admit())));
        // a writer that bypasses the store: a second seat, same version
        await using (var raise = database.DataSource.CreateCommand("UPDATE enrollment_policies SET capacity = 2 WHERE event_id = $1"))
        {
            raise.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = evt.Id });
            await raise.ExecuteNonQueryAsync();
        }

        // The decider still believes in one seat, so it waitlists; the locked row is not the one it decided on.
        var waitlisted = decider.Admit();
        Assert.Equal(EnrollmentStatus.Waitlisted, waitlisted.Enrollment.Status);
        var result = await decider.CommitAsync(Write(waitlisted));

        Assert.Equal(RefusalReasons.StaleState, Assert.IsType<CommitResult.Refused>(result).Reason);
        Assert.Single(await database.Queries.ListAsync(evt.Id));
    }

    [Fact]
    public async Task A_status_change_from_a_status_the_row_is_not_in_is_refused_inside_the_batch()
    {
        var evt = await database.CreateEventAsync(capacity: 1, hasWaitlist: true);
        var decider = await StoreDecider.LoadAsync(database.Store, evt.Id);
        var seated = decider.Admit();
        var waiting = decider.Admit();
        Assert.IsType<CommitResult.Committed>(await decider.CommitAsync(Write(seated, waiting)));

        // A forged check-in of the waiting person, claimed to be from confirmed: the replay sees no seat taken, the
        // row is as decided on, and only the UPDATE's own count can tell that the row was not confirmed.
        var checkIn = decider.Take(state => state.DecideCheckIn(seated.Enrollment.Id, new TransitionRequest(null, Guid.NewGuid(), null), DateTimeOffset.UtcNow));
        var forged = new DecisionWrite([checkIn.Changes[0] with { After = checkIn.Changes[0].After with { Id = waiting.Enrollment.Id, UserId = waiting.Enrollment.UserId } }]);
        var result = await decider.CommitAsync(forged);

        Assert.Equal("enrollment_moves_from_decided_status", Assert.IsType<CommitResult.Refused>(result).Reason);
        Assert.Equal(2, (await database.Queries.ListTransitionsAsync(evt.Id)).Count);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
    }

    [Fact]
    public async Task A_backstop_refusal_writes_nothing_and_the_next_commit_goes_through()
    {
        var evt = await database.CreateEventAsync(capacity: 10, hasWaitlist: true);
        var decider = await StoreDecider.LoadAsync(database.Store, evt.Id);
        var first = decider.Admit();
        Assert.IsType<CommitResult.Committed>(await decider.CommitAsync(Write(first)));
        var row = decider.DecidedOn;

        // The check does not look at ids, so a reused enrollment id reaches the database: its primary key refuses it.
        var second = decider.Admit();
        var reusedId = second with { Change = second.Change with { After = second.Enrollment with { Id = first.Enrollment.Id } } };
        var refused = await decider.CommitAsync(Write(reusedId));

        Assert.Equal("enrollments_pkey", Assert.IsType<CommitResult.Refused>(refused).Reason);
        Assert.Single(await database.Queries.ListAsync(evt.Id));
        Assert.Single(await database.Queries.ListTransitionsAsync(evt.Id));
        var after = await StoreDecider.LoadAsync(database.Store, evt.Id);
        Assert.Equal(row, after.DecidedOn);

        Assert.IsType<CommitResult.Committed>(await after.CommitAsync(Write(after.Admit())));
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
