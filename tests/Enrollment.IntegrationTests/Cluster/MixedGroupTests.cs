using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Cluster;

/// <summary>
/// Decisions of different kinds that wait behind one write are committed together, in one transaction, in the order
/// they were taken: the database never refuses a group whose every step is valid. Each test holds a write open, queues
/// a mix behind it, and checks the answers, that the store refused nothing, and that the mix went as one group.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class MixedGroupTests(PostgresFixture database) : IAsyncLifetime
{
    private readonly FaultyEnrollmentStore store = new(database.Store);
    private InProcessTestCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await EnrollmentTestCluster.StartAsync(
        database.ConnectionString, silos: 1, configure: silo => silo.Services.AddSingleton<IEnrollmentStore>(store));

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task A_cancellation_then_a_newcomer_confirmed_into_the_freed_seat()
    {
        var (grain, eventId) = await EventAsync(capacity: 2, hasWaitlist: false);
        var (first, second, newcomer) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var firstSeat = await grain.Enroll(first, Guid.NewGuid());
        await grain.Enroll(second, Guid.NewGuid());

        var held = await HoldAsync(() => grain.CheckIn(firstSeat.Enrollment!.Id, Admin()));
        var cancelled = await QueueAsync(() => grain.CancelOwn(second, Own(second)));
        var enrolled = await QueueAsync(() => grain.Enroll(newcomer, Guid.NewGuid()));
        await ReleaseAsync(held);

        Assert.Equal(EnrollmentStatus.Cancelled, (await cancelled).Enrollment!.Status);
        Assert.True((await enrolled).IsConfirmed);
        await AssertOneGroupWithoutRefusalAsync(eventId, changes: 2);
    }

    [Fact]
    public async Task A_newcomer_confirmed_then_a_cancellation()
    {
        var (grain, eventId) = await EventAsync(capacity: 3, hasWaitlist: false);
        var (first, second, newcomer) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var firstSeat = await grain.Enroll(first, Guid.NewGuid());
        await grain.Enroll(second, Guid.NewGuid());

        var held = await HoldAsync(() => grain.CheckIn(firstSeat.Enrollment!.Id, Admin()));
        var enrolled = await QueueAsync(() => grain.Enroll(newcomer, Guid.NewGuid()));
        var cancelled = await QueueAsync(() => grain.CancelOwn(second, Own(second)));
        await ReleaseAsync(held);

        Assert.True((await enrolled).IsConfirmed);
        Assert.Equal(EnrollmentStatus.Cancelled, (await cancelled).Enrollment!.Status);
        await AssertOneGroupWithoutRefusalAsync(eventId, changes: 2);
    }

    [Fact]
    public async Task A_capacity_raise_promotes_then_a_newcomer_is_waitlisted_behind_the_rest()
    {
        var (grain, eventId) = await EventAsync(capacity: 1, hasWaitlist: true);
        var seated = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());
        var waiting = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());
        var last = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());

        var held = await HoldAsync(() => grain.CheckIn(seated.Enrollment!.Id, Admin()));
        var raised = await QueueAsync(() => grain.ChangePolicy(new EnrollmentPolicy(2, true), Admin()));
        var newcomer = await QueueAsync(() => grain.Enroll(Guid.NewGuid(), Guid.NewGuid()));
        await ReleaseAsync(held);

        Assert.Equal(2, (await raised)!.ActiveCount);
        Assert.True((await newcomer).IsWaitlisted);
        Assert.Equal(3, (await newcomer).Enrollment!.WaitlistPosition);
        Assert.Equal(2, (await newcomer).Enrollment!.WaitlistRank);
        Assert.Equal(EnrollmentStatus.Confirmed, (await grain.GetEnrollment(waiting.Enrollment!.UserId))!.Status);
        Assert.Equal(1, (await grain.GetEnrollment(last.Enrollment!.UserId))!.WaitlistRank);
        await AssertOneGroupWithoutRefusalAsync(eventId, changes: 2);
    }

    [Fact]
    public async Task A_newcomer_waitlisted_then_a_capacity_raise_promotes_them()
    {
        var (grain, eventId) = await EventAsync(capacity: 1, hasWaitlist: true);
        var seated = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());

        var held = await HoldAsync(() => grain.CheckIn(seated.Enrollment!.Id, Admin()));
        var newcomer = await QueueAsync(() => grain.Enroll(Guid.NewGuid(), Guid.NewGuid()));
        // a policy change opens a group of its own, so this mix is two groups: still no refusal
        var raised = await QueueAsync(() => grain.ChangePolicy(new EnrollmentPolicy(2, true), Admin()));
        await ReleaseAsync(held);

        var waitlisted = await newcomer;
        Assert.True(waitlisted.IsWaitlisted);
        Assert.Equal(2, (await raised)!.ActiveCount);
        Assert.Equal(EnrollmentStatus.Confirmed, (await grain.GetEnrollment(waitlisted.Enrollment!.UserId))!.Status);
        Assert.Empty(store.Refusals);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, eventId);
    }

    [Fact]
    public async Task A_promotion_then_the_promoted_person_cancelling()
    {
        var (grain, eventId) = await EventAsync(capacity: 1, hasWaitlist: true);
        var seated = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());
        var next = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());
        var after = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());
        var (seatedUser, nextUser) = (seated.Enrollment!.UserId, next.Enrollment!.UserId);

        var held = await HoldAsync(() => grain.Enroll(Guid.NewGuid(), Guid.NewGuid()));
        var leaves = await QueueAsync(() => grain.CancelOwn(seatedUser, Own(seatedUser)));
        var promotedLeaves = await QueueAsync(() => grain.CancelOwn(nextUser, Own(nextUser)));
        await ReleaseAsync(held);

        Assert.Equal(TransitionOutcome.Done, (await leaves).Outcome);
        Assert.Equal(EnrollmentStatus.Cancelled, (await promotedLeaves).Enrollment!.Status);
        Assert.Equal(EnrollmentStatus.Confirmed, (await grain.GetEnrollment(after.Enrollment!.UserId))!.Status);
        // two cancellations, each with its promotion
        await AssertOneGroupWithoutRefusalAsync(eventId, changes: 4);
    }

    [Fact]
    public async Task A_cancellation_of_someone_waiting_then_a_promotion_of_the_next()
    {
        var (grain, eventId) = await EventAsync(capacity: 1, hasWaitlist: true);
        var seated = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());
        var waiting = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());
        var behind = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());
        var waitingUser = waiting.Enrollment!.UserId;

        var held = await HoldAsync(() => grain.Enroll(Guid.NewGuid(), Guid.NewGuid()));
        var leaves = await QueueAsync(() => grain.CancelOwn(waitingUser, Own(waitingUser)));
        var seatFrees = await QueueAsync(() => grain.Cancel(seated.Enrollment!.Id, Admin()));
        await ReleaseAsync(held);

        Assert.Equal(TransitionOutcome.Done, (await leaves).Outcome);
        Assert.Equal(TransitionOutcome.Done, (await seatFrees).Outcome);
        Assert.Equal(EnrollmentStatus.Confirmed, (await grain.GetEnrollment(behind.Enrollment!.UserId))!.Status);
        await AssertOneGroupWithoutRefusalAsync(eventId, changes: 3);
    }

    [Fact]
    public async Task A_check_in_then_attendance_of_the_same_person()
    {
        var (grain, eventId) = await EventAsync(capacity: 5, hasWaitlist: false);
        var someone = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());
        var other = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());

        var held = await HoldAsync(() => grain.CheckIn(other.Enrollment!.Id, Admin()));
        var checkedIn = await QueueAsync(() => grain.CheckIn(someone.Enrollment!.Id, Admin()));
        var attended = await QueueAsync(() => grain.Attend(someone.Enrollment!.Id, Admin()));
        await ReleaseAsync(held);

        Assert.Equal(EnrollmentStatus.CheckedIn, (await checkedIn).Enrollment!.Status);
        Assert.Equal(EnrollmentStatus.Attended, (await attended).Enrollment!.Status);
        await AssertOneGroupWithoutRefusalAsync(eventId, changes: 2);
    }

    [Fact]
    public async Task One_person_enrolling_cancelling_and_enrolling_again()
    {
        var (grain, eventId) = await EventAsync(capacity: 5, hasWaitlist: false);
        var someone = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());
        var user = Guid.NewGuid();

        var held = await HoldAsync(() => grain.CheckIn(someone.Enrollment!.Id, Admin()));
        var first = await QueueAsync(() => grain.Enroll(user, Guid.NewGuid()));
        var cancelled = await QueueAsync(() => grain.CancelOwn(user, Own(user)));
        var again = await QueueAsync(() => grain.Enroll(user, Guid.NewGuid()));
        await ReleaseAsync(held);

        var (firstAnswer, againAnswer) = (await first, await again);
        Assert.True(firstAnswer.IsConfirmed);
        Assert.Equal(EnrollmentStatus.Cancelled, (await cancelled).Enrollment!.Status);
        Assert.Equal(EnrollmentOutcome.Enrolled, againAnswer.Outcome);
        Assert.NotEqual(firstAnswer.Enrollment!.Id, againAnswer.Enrollment!.Id);
        Assert.Equal(againAnswer.Enrollment.Id, (await grain.GetEnrollment(user))!.Id);
        await AssertOneGroupWithoutRefusalAsync(eventId, changes: 3);
    }

    private async Task<(IEventCapacityGrain Grain, Guid EventId)> EventAsync(int? capacity, bool hasWaitlist)
    {
        var evt = await database.CreateEventAsync(capacity, hasWaitlist);
        var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);
        await grain.GetSummary();
        return (grain, evt.Id);
    }

    /// <summary>Starts a write and holds it open at the store, so what follows queues behind it.</summary>
    private async Task<Task> HoldAsync(Func<Task> write)
    {
        store.HoldCommits = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = store.CommitsStarted;
        var call = write();
        await Eventually.HoldsAsync(() => Task.FromResult(store.CommitsStarted > started), TimeSpan.FromSeconds(10), "the held write is in flight");
        return call;
    }

    /// <summary>Sends a call and gives the grain time to decide it, so the calls of a test arrive in the order written.</summary>
    private static async Task<Task<T>> QueueAsync<T>(Func<Task<T>> call)
    {
        var sent = call();
        await Task.Delay(150);
        Assert.False(sent.IsCompleted, "a call behind the held write was answered before that write committed");
        return sent;
    }

    private async Task ReleaseAsync(Task held)
    {
        var groupsBefore = store.CommittedGroupSizes.Count;
        var hold = store.HoldCommits!;
        store.HoldCommits = null;
        hold.SetResult();
        await held;
        await Eventually.HoldsAsync(() => Task.FromResult(store.CommittedGroupSizes.Count > groupsBefore), TimeSpan.FromSeconds(10), "the held write committed");
    }

    private async Task AssertOneGroupWithoutRefusalAsync(Guid eventId, int changes)
    {
        Assert.Empty(store.Refusals);
        Assert.Equal(changes, store.CommittedGroupSizes.Last());
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, eventId);
    }

    private static TransitionRequest Admin() => new(Guid.NewGuid(), Guid.NewGuid(), null);

    private static TransitionRequest Own(Guid user) => new(user, Guid.NewGuid(), null);
}
