using Npgsql;
using OrleansEnrollment.Database;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Store;

/// <summary>
/// New enrollments of different events waiting at the same moment share one transaction. The tests use a store with
/// one committer and hold a policy row lock elsewhere, so the commits queue up behind a blocked one.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class SharedCommitTests(PostgresFixture database)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public async Task Events_committing_together_share_a_transaction_and_a_refused_one_fails_alone()
    {
        var store = new PostgresEnrollmentStore(database.DataSource, committers: 1);
        var (blocker, first, refusedEvent, last) = (await NewEventAsync(store), await NewEventAsync(store), await NewEventAsync(store), await NewEventAsync(store));
        var earlier = Admit(refusedEvent.State);
        Assert.IsType<CommitResult.Committed>(await store.CommitAsync(refusedEvent.Id, refusedEvent.State.Version, Write(earlier)));
        var reloaded = (await store.LoadAsync(refusedEvent.Id))!;
        refusedEvent = refusedEvent with { State = reloaded, Version = reloaded.Version };

        await using var holder = await LockAsync(blocker.Id);
        var blocked = store.CommitAsync(blocker.Id, blocker.State.Version, Write(Admit(blocker.State)));
        await WaitUntilWaitingForALockAsync(1);
        var firstCommit = store.CommitAsync(first.Id, first.State.Version, Write(Admit(first.State)));
        var second = Admit(refusedEvent.State);
        // The check does not look at ids: a reused enrollment id reaches the database, whose primary key refuses it.
        var reusedId = second with { Change = second.Change with { After = second.Enrollment with { Id = earlier.Enrollment.Id } } };
        var refusedCommit = store.CommitAsync(refusedEvent.Id, refusedEvent.State.Version, Write(reusedId));
        var lastCommit = store.CommitAsync(last.Id, last.State.Version, Write(Admit(last.State)));
        await holder.DisposeAsync();

        Assert.IsType<CommitResult.Committed>(await blocked);
        Assert.IsType<CommitResult.Committed>(await firstCommit);
        Assert.Contains("enrollments_pkey", Assert.IsType<CommitResult.Conflict>(await refusedCommit).Reason);
        Assert.IsType<CommitResult.Committed>(await lastCommit);
        Assert.Equal(1, store.SharedTransactions);
        foreach (var evt in new[] { blocker, first, refusedEvent, last })
        {
            Assert.Single(await database.Queries.ListAsync(evt.Id));
            Assert.Single(await database.Queries.ListTransitionsAsync(evt.Id));
            await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
        }
    }

    [Fact]
    public async Task A_shared_transaction_that_fails_answers_every_caller_with_its_error_and_writes_nothing()
    {
        var store = new PostgresEnrollmentStore(database.DataSource, committers: 1);
        var (blocker, locked, other) = (await NewEventAsync(store), await NewEventAsync(store), await NewEventAsync(store));

        var lockedHolder = await LockAsync(locked.Id);
        var blockerHolder = await LockAsync(blocker.Id);
        var blocked = store.CommitAsync(blocker.Id, blocker.State.Version, Write(Admit(blocker.State)));
        await WaitUntilWaitingForALockAsync(1);
        var lockedCommit = store.CommitAsync(locked.Id, locked.State.Version, Write(Admit(locked.State)));
        var otherCommit = store.CommitAsync(other.Id, other.State.Version, Write(Admit(other.State)));
        await blockerHolder.DisposeAsync();

        // The blocker's commit goes through; the next transaction carries both events and waits for the locked row.
        Assert.IsType<CommitResult.Committed>(await blocked);
        var waiting = await WaitUntilWaitingForALockAsync(1);
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
            Assert.Empty(await database.Queries.ListAsync(evt.Id));
            Assert.Equal(evt.Version, (await store.LoadAsync(evt.Id))!.Version);
        }
    }

    private sealed record LoadedEvent(Guid Id, EventCapacityState State, long Version);

    private async Task<LoadedEvent> NewEventAsync(PostgresEnrollmentStore store)
    {
        var evt = await database.CreateEventAsync(capacity: 5, hasWaitlist: true);
        var state = (await store.LoadAsync(evt.Id))!;
        return new LoadedEvent(evt.Id, state, state.Version);
    }

    private static EnrollmentDecision.Admit Admit(EventCapacityState state)
    {
        var admit = Assert.IsType<EnrollmentDecision.Admit>(state.Decide(new EnrollmentRequest(Guid.NewGuid(), Guid.NewGuid(), Now)));
        state.Apply(admit);
        return admit;
    }

    private static DecisionWrite Write(EnrollmentDecision.Admit admit) => new([admit.Change]);

    /// <summary>Holds the event's policy row lock until the connection is disposed (its transaction rolled back).</summary>
    private async Task<NpgsqlConnection> LockAsync(Guid eventId)
    {
        var connection = await database.DataSource.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var hold = new NpgsqlCommand("SELECT 1 FROM enrollment_policies WHERE event_id = $1 FOR UPDATE", connection, transaction);
        hold.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        await hold.ExecuteScalarAsync();
        return connection;
    }

    /// <returns>The process id of the one backend waiting in the lock function.</returns>
    private async Task<int> WaitUntilWaitingForALockAsync(int backends)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            await using var activity = database.DataSource.CreateCommand(
                "SELECT array_agg(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%lock_policy_as_expected%'");
            if (await activity.ExecuteScalarAsync() is int[] pids && pids.Length == backends)
            {
                return pids[0];
            }

            await Task.Delay(25);
        }

        throw new TimeoutException("no commit waited in lock_policy_as_expected");
    }
}
