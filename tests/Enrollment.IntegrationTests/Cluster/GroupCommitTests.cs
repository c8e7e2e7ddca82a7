using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Cluster;

/// <summary>
/// The grain commits what arrives during one write as one group in the next: checked here with the store's commits held
/// open on demand, so "during a write" is a fact of the test, not a guess about timing.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class GroupCommitTests(PostgresFixture database) : IAsyncLifetime
{
    private readonly FaultyEnrollmentStore store = new(database.Store);
    private InProcessTestCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await EnrollmentTestCluster.StartAsync(
        database.ConnectionString, silos: 1, configure: silo => silo.Services.AddSingleton<IEnrollmentStore>(store));

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    private async Task<(IEventCapacityGrain Grain, Guid EventId)> EventAsync(int? capacity, bool hasWaitlist)
    {
        var evt = await database.CreateEventAsync(capacity, hasWaitlist);
        var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);
        await grain.GetSummary(); // activated, so the first enroll is the first commit
        return (grain, evt.Id);
    }

    private async Task<Task<EnrollmentResult>> HoldFirstWriteAsync(IEventCapacityGrain grain)
    {
        store.HoldCommits = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = store.CommitsStarted;
        var first = grain.Enroll(Guid.NewGuid(), Guid.NewGuid());
        await Eventually.HoldsAsync(() => Task.FromResult(store.CommitsStarted > started), TimeSpan.FromSeconds(10), "the first write is in flight");
        return first;
    }

    [Fact]
    public async Task Requests_arriving_during_a_write_are_committed_together_and_answered_after_that_commit()
    {
        var (grain, eventId) = await EventAsync(capacity: 10, hasWaitlist: true);
        var first = await HoldFirstWriteAsync(grain);

        var during = Enumerable.Range(0, 40).Select(_ => grain.Enroll(Guid.NewGuid(), Guid.NewGuid())).ToList();
        await Task.Delay(300);
        Assert.False(first.IsCompleted);
        Assert.DoesNotContain(during, call => call.IsCompleted);

        store.HoldCommits!.SetResult();
        var answers = await Task.WhenAll(during.Prepend(first));

        Assert.Equal([1, 40], store.CommittedGroupSizes.TakeLast(2));
        Assert.All(answers, answer => Assert.Equal(EnrollmentOutcome.Enrolled, answer.Outcome));
        Assert.Equal(10, answers.Count(answer => answer.IsConfirmed));
        await AnsweredCalls.AssertDatabaseEqualsAsync(database.Queries, eventId, answers);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, eventId);
    }

    [Fact]
    public async Task A_group_whose_write_fails_answers_every_caller_with_an_error_and_writes_nothing()
    {
        var (grain, eventId) = await EventAsync(capacity: 5, hasWaitlist: true);
        var first = await HoldFirstWriteAsync(grain);
        var during = Enumerable.Range(0, 20).Select(_ => grain.Enroll(Guid.NewGuid(), Guid.NewGuid())).ToList();
        await Task.Delay(300);

        // the held write succeeds; the group behind it is held in turn, then fails before reaching the database
        var firstHold = store.HoldCommits!;
        var groupHold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.HoldCommits = groupHold;
        firstHold.SetResult();
        var firstAnswer = await first;
        store.NextCommit = FaultyEnrollmentStore.Fault.FailBeforeCommit;
        store.HoldCommits = null;
        groupHold.SetResult();
        var failures = await Task.WhenAll(during.Select(async call => await Assert.ThrowsAsync<EnrollmentUnavailableException>(() => call)));

        Assert.True(firstAnswer.IsConfirmed);
        Assert.All(failures, failure => Assert.True(failure.NothingWritten));
        await AnsweredCalls.AssertDatabaseEqualsAsync(database.Queries, eventId, [firstAnswer]);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, eventId);

        // the grain reloaded: the next request is decided on what the database holds
        var next = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());
        Assert.True(next.IsConfirmed);
        Assert.Equal(2, (await grain.GetSummary())!.ActiveCount);
    }

    [Fact]
    public async Task Waitlist_positions_stay_exact_and_in_arrival_order_across_groups()
    {
        var (grain, eventId) = await EventAsync(capacity: 0, hasWaitlist: true);
        var answers = new List<EnrollmentResult>();
        // waves of concurrent requests, with a lone request between them
        for (var wave = 0; wave < 6; wave++)
        {
            var calls = Enumerable.Range(0, 150).Select(_ => grain.Enroll(Guid.NewGuid(), Guid.NewGuid())).ToList();
            answers.AddRange(await Task.WhenAll(calls));
            answers.Add(await grain.Enroll(Guid.NewGuid(), Guid.NewGuid())); // a lone request, between groups
        }

        var positions = answers.Select(answer => answer.Enrollment!.WaitlistPosition!.Value).ToList();
        Assert.Equal(Enumerable.Range(1, answers.Count), positions.Order());
        Assert.True(store.CommittedGroupSizes.Count > 1, "the requests went in several groups");
        Assert.True(store.CommittedGroupSizes.Max() <= EventCapacityGrain.MaxGroupSize);

        // arrival order at the grain is decision order: positions rise with the time each was decided
        var stored = await database.Queries.ListAsync(eventId);
        Assert.Equal(stored.OrderBy(e => e.WaitlistPosition).Select(e => e.Id), stored.OrderBy(e => e.CreatedAt).ThenBy(e => e.WaitlistPosition).Select(e => e.Id));
        await AnsweredCalls.AssertDatabaseEqualsAsync(database.Queries, eventId, answers);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, eventId);
    }
}
