using Npgsql;
using OrleansEnrollment.Database;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Store;

/// <summary>
/// Groups of different events waiting at the same moment share one transaction. The tests use a store with
/// one committer and hold a policy row lock elsewhere, so the commits queue up behind a blocked one.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class SharedCommitTests(PostgresFixture database)
{
    [Fact]
    public async Task Events_committing_together_share_a_transaction_and_a_refused_one_fails_alone()
    {
        var store = new PostgresEnrollmentStore(database.DataSource, committers: 1);
        var (blocker, first, refusedEvent, last) = (await NewEventAsync(store), await NewEventAsync(store), await NewEventAsync(store), await NewEventAsync(store));
        var earlier = refusedEvent.Admit();
        Assert.IsType<CommitResult.Committed>(await refusedEvent.CommitAsync(Write(earlier)));

        await using var holder = await PolicyRowLocks.HoldAsync(database.DataSource, blocker.State.EventId);
        var blocked = blocker.CommitAsync(Write(blocker.Admit()));
        await PolicyRowLocks.WaitUntilWaitingInTheLockFunctionAsync(database.DataSource);
        var firstCommit = first.CommitAsync(Write(first.Admit()));
        var second = refusedEvent.Admit();
        // The check does not look at ids: a reused enrollment id reaches the database, whose primary key refuses it.
        var reusedId = second with { Change = second.Change with { After = second.Enrollment with { Id = earlier.Enrollment.Id } } };
        var refusedCommit = refusedEvent.CommitAsync(Write(reusedId));
        var lastCommit = last.CommitAsync(Write(last.Admit()));
        await holder.DisposeAsync();

        Assert.IsType<CommitResult.Committed>(await blocked);
        Assert.IsType<CommitResult.Committed>(await firstCommit);
        Assert.Equal("enrollments_pkey", Assert.IsType<CommitResult.Refused>(await refusedCommit).Reason);
        Assert.IsType<CommitResult.Committed>(await lastCommit);
        Assert.Equal(1, store.SharedTransactions);
        foreach (var evt in new[] { blocker, first, refusedEvent, last }.Select(decider => decider.State))
        {
            Assert.Single(await database.Queries.ListAsync(evt.EventId));
            Assert.Single(await database.Queries.ListTransitionsAsync(evt.EventId));
            await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.EventId);
        }
    }

    [Fact]
    public async Task Groups_of_every_kind_share_one_transaction_each_written_in_its_own_decision_order()
    {
        // One statement per kind serves all the events of a transaction; a group's steps still land in its order.
        var store = new PostgresEnrollmentStore(database.DataSource, committers: 1);
        var blocker = await NewEventAsync(store);
        var moves = await NewEventAsync(store, capacity: 1);
        var inserts = await NewEventAsync(store);
        var policy = await NewEventAsync(store, capacity: 1);
        var seated = moves.Admit();
        Assert.IsType<CommitResult.Committed>(await moves.CommitAsync(Write(seated, moves.Admit())));
        Assert.IsType<CommitResult.Committed>(await policy.CommitAsync(Write(policy.Admit(), policy.Admit())));

        // moves: a cancellation that seats the person waiting (one UPDATE), then a newcomer who waits (an INSERT);
        // inserts: two newcomers; policy: a larger capacity, the promotion it makes, then a newcomer who gets a seat.
        var cancelThenAdmit = StoreDecider.Together(
            moves.Take(state => state.DecideCancel(seated.Enrollment.Id, new TransitionRequest(null, Guid.NewGuid(), null), DateTimeOffset.UtcNow)),
            Write(moves.Admit()));
        var twoNewcomers = Write(inserts.Admit(), inserts.Admit());
        var raise = policy.State.DecidePolicy(new EnrollmentPolicy(3, HasWaitlist: true), new TransitionRequest(null, Guid.NewGuid(), null), DateTimeOffset.UtcNow);
        policy.State.Apply(raise);
        var raiseThenAdmit = StoreDecider.Together(raise, Write(policy.Admit()));

        await using var holder = await PolicyRowLocks.HoldAsync(database.DataSource, blocker.State.EventId);
        var blocked = blocker.CommitAsync(Write(blocker.Admit()));
        await PolicyRowLocks.WaitUntilWaitingInTheLockFunctionAsync(database.DataSource);
        var commits = new[] { moves.CommitAsync(cancelThenAdmit), inserts.CommitAsync(twoNewcomers), policy.CommitAsync(raiseThenAdmit) };
        await holder.DisposeAsync();

        Assert.IsType<CommitResult.Committed>(await blocked);
        foreach (var commit in commits)
        {
            Assert.IsType<CommitResult.Committed>(await commit);
        }

        Assert.Equal(1, store.SharedTransactions);
        foreach (var (decider, write) in new[] { (moves, cancelThenAdmit), (inserts, twoNewcomers), (policy, raiseThenAdmit) })
        {
            var evt = decider.State.EventId;
            // the row each grain goes on from is the one the database holds, and so is every enrollment
            Assert.Equal(decider.DecidedOn, (await store.LoadAsync(evt))!.ToPolicyRow());
            var rows = (await database.Queries.ListAsync(evt)).ToDictionary(row => row.Id);
            Assert.All(write.Changes, change => Assert.Equal(change.After.Status, rows[change.After.Id].Status));
            // the group's audit rows are the last ones of its event, in decision order
            var transitions = await database.Queries.ListTransitionsAsync(evt);
            Assert.Equal(
                write.Changes.Select(change => (change.After.Id, change.From, change.After.Status)),
                transitions.TakeLast(write.Changes.Count).Select(transition => (transition.EnrollmentId, transition.From, transition.To)));
            await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt);
        }

        // the groups were of the kinds meant: a move then an insert, a policy then a move then an insert
        Assert.Equal([EnrollmentStatus.Confirmed, EnrollmentStatus.Waitlisted, null], cancelThenAdmit.Changes.Select(change => change.From));
        Assert.Equal(EnrollmentStatus.Waitlisted, cancelThenAdmit.Changes[^1].After.Status);
        Assert.NotNull(raiseThenAdmit.NewPolicy);
        Assert.Equal([EnrollmentStatus.Waitlisted, null], raiseThenAdmit.Changes.Select(change => change.From));
        Assert.All(raiseThenAdmit.Changes, change => Assert.Equal(EnrollmentStatus.Confirmed, change.After.Status));
    }

    [Fact]
    public async Task A_shared_transaction_that_fails_answers_every_caller_with_its_error_and_writes_nothing()
    {
        var store = new PostgresEnrollmentStore(database.DataSource, committers: 1);
        var (blocker, locked, other) = (await NewEventAsync(store), await NewEventAsync(store), await NewEventAsync(store));

        var lockedHolder = await PolicyRowLocks.HoldAsync(database.DataSource, locked.State.EventId);
        var blockerHolder = await PolicyRowLocks.HoldAsync(database.DataSource, blocker.State.EventId);
        var blocked = blocker.CommitAsync(Write(blocker.Admit()));
        await PolicyRowLocks.WaitUntilWaitingInTheLockFunctionAsync(database.DataSource);
        var lockedCommit = locked.CommitAsync(Write(locked.Admit()));
        var otherCommit = other.CommitAsync(Write(other.Admit()));
        await blockerHolder.DisposeAsync();

        // The blocker's commit goes through; the next transaction carries both events and waits for the locked row.
        Assert.IsType<CommitResult.Committed>(await blocked);
        var waiting = await PolicyRowLocks.WaitUntilWaitingInTheLockFunctionAsync(database.DataSource);
        await using (var terminate = database.DataSource.CreateCommand("SELECT pg_terminate_backend($1)"))
        {
            terminate.Parameters.Add(new NpgsqlParameter<int> { TypedValue = waiting });
            await terminate.ExecuteScalarAsync();
        }

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => lockedCommit);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => otherCommit);
        await lockedHolder.DisposeAsync();
        Assert.Equal(1, store.SharedTransactions);
        foreach (var evt in new[] { locked, other })
        {
            Assert.Empty(await database.Queries.ListAsync(evt.State.EventId));
            Assert.Equal(evt.DecidedOn, (await store.LoadAsync(evt.State.EventId))!.ToPolicyRow());
        }
    }

    private async Task<StoreDecider> NewEventAsync(PostgresEnrollmentStore store, int capacity = 5)
    {
        var evt = await database.CreateEventAsync(capacity: capacity, hasWaitlist: true);
        return await StoreDecider.LoadAsync(store, evt.Id);
    }

    private static DecisionWrite Write(params EnrollmentDecision.Admit[] admits) => StoreDecider.Write(admits);
}
