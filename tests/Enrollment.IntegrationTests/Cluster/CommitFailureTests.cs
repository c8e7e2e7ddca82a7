using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Cluster;

/// <summary>
/// A commit that fails is answered honestly: as enrolled when the database did commit it (the acknowledgement was
/// lost), as failed with nothing written when it did not.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class CommitFailureTests(PostgresFixture database) : IAsyncLifetime
{
    private readonly FaultyEnrollmentStore store = new(database.Store);
    private InProcessTestCluster cluster = null!;

    public async Task InitializeAsync()
    {
        cluster = await EnrollmentTestCluster.StartAsync(
            database.ConnectionString, silos: 1, configure: silo => silo.Services.AddSingleton<IEnrollmentStore>(store));
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task A_commit_whose_acknowledgement_was_lost_is_answered_as_enrolled()
    {
        var evt = await database.CreateEventAsync(capacity: 1, hasWaitlist: true);
        var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);
        await grain.GetSummary();

        store.NextCommit = FaultyEnrollmentStore.Fault.LoseAcknowledgementAfterCommit;
        var answer = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());
        var next = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());

        Assert.True(answer.IsConfirmed);
        Assert.Equal(1, next.Enrollment!.WaitlistPosition);
        await AnsweredCalls.AssertDatabaseEqualsAsync(database.Queries, evt.Id, [answer, next]);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
    }

    [Fact]
    public async Task A_commit_that_never_reached_the_database_is_answered_as_failed_with_nothing_written()
    {
        var evt = await database.CreateEventAsync(capacity: 1, hasWaitlist: true);
        var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);
        var userId = Guid.NewGuid();
        await grain.GetSummary();

        store.NextCommit = FaultyEnrollmentStore.Fault.FailBeforeCommit;
        var failure = await Assert.ThrowsAsync<EnrollmentUnavailableException>(() => grain.Enroll(userId, Guid.NewGuid()));

        Assert.True(failure.NothingWritten);
        Assert.Empty(await database.Queries.ListAsync(evt.Id));

        // the seat the failed call did not take is still free, and the same user may simply try again
        var retry = await grain.Enroll(userId, Guid.NewGuid());
        Assert.True(retry.IsConfirmed);
        await AnsweredCalls.AssertDatabaseEqualsAsync(database.Queries, evt.Id, [retry]);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
    }

    [Fact]
    public async Task When_the_database_cannot_be_read_back_the_caller_is_told_the_outcome_is_unknown()
    {
        var evt = await database.CreateEventAsync(capacity: 5, hasWaitlist: false);
        var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);
        var userId = Guid.NewGuid();
        await grain.GetSummary();

        store.NextCommit = FaultyEnrollmentStore.Fault.LoseAcknowledgementAfterCommit;
        store.LoadsFail = true;
        var failure = await Assert.ThrowsAsync<EnrollmentUnavailableException>(() => grain.Enroll(userId, Guid.NewGuid()));
        store.LoadsFail = false;

        Assert.False(failure.NothingWritten);
        // retrying is safe: the enrollment did land, and enrolling again returns it
        var retry = await grain.Enroll(userId, Guid.NewGuid());
        Assert.Equal(EnrollmentOutcome.AlreadyEnrolled, retry.Outcome);
        await AnsweredCalls.AssertDatabaseEqualsAsync(database.Queries, evt.Id, [retry]);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
    }
}
