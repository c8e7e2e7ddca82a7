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

    private async Task<StoreDecider> NewEventAsync(PostgresEnrollmentStore store)
    {
        var evt = await database.CreateEventAsync(capacity: 5, hasWaitlist: true);
        return await StoreDecider.LoadAsync(store, evt.Id);
    }

    private static DecisionWrite Write(EnrollmentDecision.Admit admit) => new([admit.Change]);
}
