using Orleans.TestingHost;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Lifecycle;

/// <summary>Cancellations, enrollments and a capacity change racing on one hot event, through a three-silo cluster.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class HotEventLifecycleTests(PostgresFixture database) : IAsyncLifetime
{
    private InProcessTestCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await EnrollmentTestCluster.StartAsync(database.ConnectionString);

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task Concurrent_cancellations_and_enrollments_keep_every_invariant()
    {
        var evt = await database.CreateEventAsync(capacity: 50, hasWaitlist: true);
        var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);
        var first = Enumerable.Range(0, 300).Select(_ => Guid.NewGuid()).ToList();
        await Task.WhenAll(first.Select(user => grain.Enroll(user, Guid.NewGuid())));

        // a third of them leave while newcomers arrive, some leavers come back, and the capacity grows mid-way
        var leavers = first.OrderBy(_ => Random.Shared.Next()).Take(100).ToList();
        var newcomers = Enumerable.Range(0, 200).Select(_ => Guid.NewGuid()).ToList();
        var work = leavers.Select(user => (Func<Task>)(async () =>
            {
                var cancelled = await grain.CancelOwn(user, new TransitionRequest(user, Guid.NewGuid(), null));
                Assert.Equal(TransitionOutcome.Done, cancelled.Outcome);
                Assert.Equal(EnrollmentStatus.Cancelled, cancelled.Enrollment!.Status);
            }))
            .Concat(newcomers.Select(user => (Func<Task>)(() => grain.Enroll(user, Guid.NewGuid()))))
            .Append(() => grain.ChangePolicy(new EnrollmentPolicy(80, true), new TransitionRequest(null, Guid.NewGuid(), "more seats")))
            .OrderBy(_ => Random.Shared.Next())
            .Select(step => step())
            .ToList();
        await Task.WhenAll(work);
        var comebacks = await Task.WhenAll(leavers.Take(20).Select(user => grain.Enroll(user, Guid.NewGuid())));

        Assert.All(comebacks, answer => Assert.Equal(EnrollmentOutcome.Enrolled, answer.Outcome));
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
        var stored = await database.Queries.ListAsync(evt.Id);
        var live = stored.Where(e => e.Status != EnrollmentStatus.Cancelled).ToList();
        Assert.Equal(first.Count + newcomers.Count - leavers.Count + comebacks.Length, live.Count);
        Assert.Equal(80, live.Count(e => e.Status.IsActive()));
        Assert.Equal(100, stored.Count(e => e.Status == EnrollmentStatus.Cancelled));

        // FIFO: everyone still waiting arrived after everyone who was promoted from the waitlist
        var waitingPositions = live.Where(e => e.Status == EnrollmentStatus.Waitlisted).Select(e => e.WaitlistPosition!.Value).ToList();
        var promotedPositions = live.Where(e => e.Status == EnrollmentStatus.Confirmed && e.WaitlistPosition is not null).Select(e => e.WaitlistPosition!.Value).ToList();
        Assert.True(promotedPositions.Count == 0 || waitingPositions.Count == 0 || promotedPositions.Max() < waitingPositions.Min());

        // the grain's ranks are 1..n in arrival order
        var ranks = new List<(int Position, int Rank)>();
        foreach (var enrollment in live.Where(e => e.Status == EnrollmentStatus.Waitlisted))
        {
            var shown = await grain.GetEnrollment(enrollment.UserId);
            ranks.Add((enrollment.WaitlistPosition!.Value, shown!.WaitlistRank!.Value));
        }

        Assert.Equal(Enumerable.Range(1, ranks.Count), ranks.OrderBy(r => r.Position).Select(r => r.Rank));

        // every promotion is in the audit trail, made by the system (no actor)
        var transitions = await database.Queries.ListTransitionsAsync(evt.Id);
        var promoted = transitions.Where(t => t.From == EnrollmentStatus.Waitlisted && t.To == EnrollmentStatus.Confirmed).ToList();
        var confirmedFromWaitlist = live.Where(e => e.Status == EnrollmentStatus.Confirmed && e.WaitlistPosition is not null).Select(e => e.Id);
        Assert.Subset(promoted.Select(t => t.EnrollmentId).ToHashSet(), confirmedFromWaitlist.ToHashSet());
        Assert.All(promoted, t => Assert.Null(t.ActorId));
        await OutboxState.AssertDeliveredExactlyOnceAsync(database.DataSource, evt.Id, transitions.Count, TimeSpan.FromSeconds(60));
    }
}
