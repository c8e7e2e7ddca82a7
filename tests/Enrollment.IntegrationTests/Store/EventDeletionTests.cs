using Npgsql;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Store;

/// <summary>
/// Deleting an event against a commit of a second activation (the store driven directly, as a grain that still believes
/// the event exists): whichever takes the policy row lock first wins, and the other ends cleanly, writing nothing.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class EventDeletionTests(PostgresFixture database)
{
    private readonly EventDeletion deletion = new(database.DataSource);

    [Fact]
    public async Task A_commit_that_waits_behind_the_delete_is_refused_and_writes_nothing()
    {
        var info = await database.CreateEventAsync(capacity: 5, hasWaitlist: true);
        var secondActivation = await StoreDecider.LoadAsync(database.Store, info.Id);

        var holder = await PolicyRowLocks.HoldAsync(database.DataSource, info.Id);
        var delete = deletion.DeleteUnlessEnrolledAsync(info.Id);
        await WaitUntilWaitingAsync("SELECT true FROM enrollment_policies", 1);
        var commit = secondActivation.CommitAsync(StoreDecider.Write(secondActivation.Admit()));
        await PolicyRowLocks.WaitUntilWaitingInTheLockFunctionAsync(database.DataSource);
        await holder.DisposeAsync();

        Assert.Equal(EventDeletionOutcome.Deleted, await delete);
        Assert.IsType<CommitResult.Refused>(await commit);
        Assert.Null(await database.Catalog.FindAsync(info.Id));
        Assert.Empty(await database.Queries.ListAsync(info.Id));
        Assert.Empty(await database.Queries.ListTransitionsAsync(info.Id));
    }

    [Fact]
    public async Task An_enrollment_committed_while_the_delete_waits_makes_the_delete_refuse()
    {
        var info = await database.CreateEventAsync(capacity: 5, hasWaitlist: true);
        var secondActivation = await StoreDecider.LoadAsync(database.Store, info.Id);

        var holder = await PolicyRowLocks.HoldAsync(database.DataSource, info.Id);
        var commit = secondActivation.CommitAsync(StoreDecider.Write(secondActivation.Admit()));
        await PolicyRowLocks.WaitUntilWaitingInTheLockFunctionAsync(database.DataSource);
        var delete = deletion.DeleteUnlessEnrolledAsync(info.Id);
        await WaitUntilWaitingAsync("SELECT true FROM enrollment_policies", 1);
        await holder.DisposeAsync();

        Assert.IsType<CommitResult.Committed>(await commit);
        Assert.Equal(EventDeletionOutcome.HasEnrollments, await delete);
        Assert.NotNull(await database.Catalog.FindAsync(info.Id));
        Assert.Single(await database.Queries.ListAsync(info.Id));
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, info.Id);
    }

    [Fact]
    public async Task The_database_refuses_to_delete_an_event_that_has_enrollments()
    {
        var info = await database.CreateEventAsync(capacity: 5, hasWaitlist: true);
        var decider = await StoreDecider.LoadAsync(database.Store, info.Id);
        Assert.IsType<CommitResult.Committed>(await decider.CommitAsync(StoreDecider.Write(decider.Admit())));

        // a writer that skips the lock and the check, straight at the table
        await using var delete = database.DataSource.CreateCommand("DELETE FROM events WHERE id = $1");
        delete.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = info.Id });
        var refused = await Assert.ThrowsAsync<PostgresException>(() => delete.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, refused.SqlState);
        Assert.NotNull(await database.Catalog.FindAsync(info.Id));
    }

    [Fact]
    public async Task Deleting_removes_the_event_and_its_policy_and_a_second_delete_finds_nothing()
    {
        var info = await database.CreateEventAsync(capacity: null, hasWaitlist: false);

        Assert.Equal(EventDeletionOutcome.Deleted, await deletion.DeleteUnlessEnrolledAsync(info.Id));
        Assert.Equal(EventDeletionOutcome.NotFound, await deletion.DeleteUnlessEnrolledAsync(info.Id));

        await using var policies = database.DataSource.CreateCommand("SELECT count(*) FROM enrollment_policies WHERE event_id = $1");
        policies.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = info.Id });
        Assert.Equal(0L, await policies.ExecuteScalarAsync());
        Assert.Null(await database.Store.LoadAsync(info.Id));
    }

    private async Task WaitUntilWaitingAsync(string queryStart, int backends)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            await using var activity = database.DataSource.CreateCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND starts_with(query, $1)");
            activity.Parameters.Add(new NpgsqlParameter<string> { TypedValue = queryStart });
            if ((long)(await activity.ExecuteScalarAsync())! == backends)
            {
                return;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"{backends} statement(s) starting '{queryStart}' never waited for a lock");
    }
}
