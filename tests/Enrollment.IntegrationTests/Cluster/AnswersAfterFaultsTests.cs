using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Outbox;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Cluster;

/// <summary>
/// No answer rests on a decision that was not committed, whatever fails and whenever calls arrive: after a refusal, a
/// failed decision under the lock, a failed commit whose state is being reloaded, and a commit still on its way to the
/// database when the grain asks whether it landed.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class AnswersAfterFaultsTests(PostgresFixture database) : IAsyncLifetime
{
    private readonly FaultyEnrollmentStore store = new(database.Store);
    private readonly FaultyEventEmitter emitter = new();
    private InProcessTestCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await EnrollmentTestCluster.StartAsync(
        database.ConnectionString, silos: 1, configure: silo => silo.Services
            .AddSingleton<IEnrollmentStore>(store)
            .AddSingleton<IEnrollmentEventEmitter>(emitter));

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task A_call_arriving_while_a_decision_taken_under_the_lock_is_emitted_is_committed_before_it_is_answered()
    {
        var (grain, eventId) = await EventAsync(capacity: 5);
        store.RefuseNextCommits = 3; // another activation keeps winning, so the grain decides under the database's lock

        emitter.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var emitsBefore = emitter.EmitsStarted;
        var first = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());
        await Eventually.HoldsAsync(() => Task.FromResult(emitter.EmitsStarted > emitsBefore), TimeSpan.FromSeconds(10), "the emit is held");
        var during = grain.Enroll(Guid.NewGuid(), Guid.NewGuid());
        await Task.Delay(200);
        emitter.Hold.SetResult();
        emitter.Hold = null;
        var second = await during;

        Assert.True(first.IsConfirmed);
        Assert.True(second.IsConfirmed);
        await AnsweredCalls.AssertDatabaseEqualsAsync(database.Queries, eventId, [first, second]);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, eventId);
    }

    [Fact]
    public async Task A_decision_under_the_lock_that_fails_leaves_nothing_behind_for_reads_or_retries()
    {
        var (grain, eventId) = await EventAsync(capacity: 5);
        var user = Guid.NewGuid();
        store.RefuseNextCommits = 3;
        store.NextDecisionUnderLock = FaultyEnrollmentStore.Fault.FailBeforeCommit;

        var failure = await Assert.ThrowsAsync<EnrollmentUnavailableException>(() => grain.Enroll(user, Guid.NewGuid()));

        Assert.True(failure.NothingWritten);
        Assert.Null(await grain.GetEnrollment(user));
        Assert.Equal(0, (await grain.GetSummary())!.ActiveCount);
        Assert.Empty(await database.Queries.ListAsync(eventId));
        var retry = await grain.Enroll(user, Guid.NewGuid());
        Assert.True(retry.IsConfirmed);
        await AnsweredCalls.AssertDatabaseEqualsAsync(database.Queries, eventId, [retry]);
    }

    [Fact]
    public async Task A_decision_under_the_lock_whose_acknowledgement_is_lost_is_answered_as_enrolled()
    {
        var (grain, eventId) = await EventAsync(capacity: 5);
        store.RefuseNextCommits = 3;
        store.NextDecisionUnderLock = FaultyEnrollmentStore.Fault.LoseAcknowledgementAfterCommit;

        var answer = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());
        var next = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());

        Assert.True(answer.IsConfirmed);
        Assert.True(next.IsConfirmed);
        await AnsweredCalls.AssertDatabaseEqualsAsync(database.Queries, eventId, [answer, next]);
        await OutboxState.AssertDeliveredExactlyOnceAsync(database.DataSource, eventId, transitions: 2, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_read_while_the_grain_reloads_after_a_failed_commit_does_not_see_the_failed_decision()
    {
        var (grain, eventId) = await EventAsync(capacity: 5);
        var user = Guid.NewGuid();
        var loadsBefore = FailTheNextCommitAndHoldReads();

        var enroll = grain.Enroll(user, Guid.NewGuid());
        Task<Enrollment?> read = null!;
        Task<EventCapacitySummary?> summary = null!;
        await WhileTheReadBackIsHeldAsync(loadsBefore, () => (read, summary) = (grain.GetEnrollment(user), grain.GetSummary()));

        var failure = await Assert.ThrowsAsync<EnrollmentUnavailableException>(() => enroll);
        Assert.True(failure.NothingWritten);
        Assert.Null(await read);
        Assert.Equal(0, (await summary)!.ActiveCount);
        Assert.Empty(await database.Queries.ListAsync(eventId));
    }

    [Fact]
    public async Task A_retry_right_after_a_failed_commit_is_written_not_answered_from_the_failed_decision()
    {
        var (grain, eventId) = await EventAsync(capacity: 5);
        var user = Guid.NewGuid();
        var loadsBefore = FailTheNextCommitAndHoldReads();

        var enroll = grain.Enroll(user, Guid.NewGuid());
        Task<EnrollmentResult> retry = null!;
        await WhileTheReadBackIsHeldAsync(loadsBefore, () => retry = grain.Enroll(user, Guid.NewGuid()));

        await Assert.ThrowsAsync<EnrollmentUnavailableException>(() => enroll);
        var answer = await retry;
        Assert.Equal(EnrollmentOutcome.Enrolled, answer.Outcome);
        await AnsweredCalls.AssertDatabaseEqualsAsync(database.Queries, eventId, [answer]);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, eventId);
    }

    [Fact]
    public async Task A_commit_still_on_its_way_when_the_grain_reads_back_cannot_land_after_being_answered_as_not_written()
    {
        var (grain, eventId) = await EventAsync(capacity: 5);
        var user = Guid.NewGuid();
        store.NextCommit = FaultyEnrollmentStore.Fault.ArriveLate;

        EnrollmentResult? answer = null;
        EnrollmentUnavailableException? failure = null;
        try
        {
            answer = await grain.Enroll(user, Guid.NewGuid());
        }
        catch (EnrollmentUnavailableException exception)
        {
            failure = exception;
        }

        // the transaction reaches the database only now, after the caller has its answer
        store.LateArrival.SetResult();
        var late = await store.LateCommit!;

        var stored = await database.Queries.ListAsync(eventId);
        if (failure is { NothingWritten: true })
        {
            Assert.Empty(stored);
            Assert.IsNotType<CommitResult.Committed>(late);
        }
        else
        {
            Assert.NotNull(answer);
            await AnsweredCalls.AssertDatabaseEqualsAsync(database.Queries, eventId, [answer]);
        }

        // whatever happened, the grain's view and the database's agree afterwards
        Assert.Equal(stored.Count(e => e.Status.IsActive()), (await grain.GetSummary())!.ActiveCount);
        Assert.Equal(stored.SingleOrDefault()?.Id, (await grain.GetEnrollment(user))?.Id);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, eventId);
    }

    /// <summary>The next commit fails before reaching the database, and the grain's reads of the database wait.</summary>
    /// <returns>How many reads had started before.</returns>
    private int FailTheNextCommitAndHoldReads()
    {
        store.NextCommit = FaultyEnrollmentStore.Fault.FailBeforeCommit;
        store.HoldLoads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return store.LoadsStarted;
    }

    /// <summary>Once the grain reads the database back after the failed commit, sends the calls, gives the grain time to take them, then lets the read go.</summary>
    private async Task WhileTheReadBackIsHeldAsync(int loadsBefore, Action send)
    {
        await Eventually.HoldsAsync(() => Task.FromResult(store.LoadsStarted > loadsBefore), TimeSpan.FromSeconds(10), "the grain reads the database back");
        send();
        await Task.Delay(200);
        var hold = store.HoldLoads!;
        store.HoldLoads = null;
        hold.SetResult();
    }

    private async Task<(IEventCapacityGrain Grain, Guid EventId)> EventAsync(int? capacity)
    {
        var evt = await database.CreateEventAsync(capacity, hasWaitlist: true);
        var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);
        await grain.GetSummary();
        return (grain, evt.Id);
    }
}
