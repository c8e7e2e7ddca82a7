using Orleans.TestingHost;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Cluster;

/// <summary>Thousands of people enrolling at once through a three-silo cluster.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class HotEventTests(PostgresFixture database) : IAsyncLifetime
{
    private InProcessTestCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await EnrollmentTestCluster.StartAsync(database.ConnectionString);

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    private Task<EnrollmentResult[]> EnrollAllAsync(Guid eventId, IEnumerable<Guid> users)
    {
        var grain = cluster.Client.GetGrain<IEventCapacityGrain>(eventId);
        return Task.WhenAll(users.Select(userId => grain.Enroll(userId, Guid.NewGuid())));
    }

    [Fact]
    public async Task Five_thousand_people_for_a_hundred_seats_with_a_waitlist()
    {
        var evt = await database.CreateEventAsync(capacity: 100, hasWaitlist: true);
        var users = Enumerable.Range(0, 5_000).Select(_ => Guid.NewGuid()).ToList();

        var answers = await EnrollAllAsync(evt.Id, users);

        Assert.All(answers, answer => Assert.Equal(EnrollmentOutcome.Enrolled, answer.Outcome));
        Assert.Equal(100, answers.Count(answer => answer.IsConfirmed));
        Assert.Equal(4_900, answers.Count(answer => answer.IsWaitlisted));
        Assert.Equal(Enumerable.Range(1, 4_900), answers.Where(answer => answer.IsWaitlisted).Select(answer => answer.Enrollment!.WaitlistPosition!.Value).Order());
        Assert.Equal(users.Order(), answers.Select(answer => answer.Enrollment!.UserId).Order());
        await AnsweredCalls.AssertDatabaseEqualsAsync(database.Queries, evt.Id, answers);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
    }

    [Fact]
    public async Task Five_thousand_people_for_a_hundred_seats_without_a_waitlist()
    {
        var evt = await database.CreateEventAsync(capacity: 100, hasWaitlist: false);

        var answers = await EnrollAllAsync(evt.Id, Enumerable.Range(0, 5_000).Select(_ => Guid.NewGuid()));

        Assert.Equal(100, answers.Count(answer => answer.IsConfirmed));
        Assert.Equal(4_900, answers.Count(answer => answer.Outcome == EnrollmentOutcome.EventFull && answer.Enrollment is null));
        Assert.Equal(100, (await database.Queries.ListAsync(evt.Id)).Count);
        Assert.Equal(100, (await database.Queries.ListTransitionsAsync(evt.Id)).Count);
        await AnsweredCalls.AssertDatabaseEqualsAsync(database.Queries, evt.Id, answers);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
    }

    [Fact]
    public async Task Everyone_enrolling_twice_at_once_gets_their_first_enrollment_back()
    {
        var evt = await database.CreateEventAsync(capacity: 50, hasWaitlist: true);
        var users = Enumerable.Range(0, 400).Select(_ => Guid.NewGuid()).ToList();

        // each user's two requests race each other and everyone else's
        var answers = await EnrollAllAsync(evt.Id, users.Concat(users).OrderBy(_ => Random.Shared.Next()));
        var transitionsBefore = (await database.Queries.ListTransitionsAsync(evt.Id)).Count;
        var again = await EnrollAllAsync(evt.Id, users);

        foreach (var group in answers.GroupBy(answer => answer.Enrollment!.UserId))
        {
            Assert.Equal(2, group.Count());
            Assert.Single(group, answer => answer.Outcome == EnrollmentOutcome.Enrolled);
            Assert.Single(group, answer => answer.Outcome == EnrollmentOutcome.AlreadyEnrolled);
            Assert.Single(group.Select(answer => answer.Enrollment).Distinct());
        }

        Assert.All(again, answer => Assert.Equal(EnrollmentOutcome.AlreadyEnrolled, answer.Outcome));
        Assert.Equal(
            answers.Where(answer => answer.Outcome == EnrollmentOutcome.Enrolled).Select(answer => answer.Enrollment).OrderBy(e => e!.Id),
            again.Select(answer => answer.Enrollment).OrderBy(e => e!.Id));
        Assert.Equal(400, (await database.Queries.ListAsync(evt.Id)).Count);
        Assert.Equal(transitionsBefore, (await database.Queries.ListTransitionsAsync(evt.Id)).Count);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
    }

    [Fact]
    public async Task Many_events_at_once_each_keep_their_own_count()
    {
        var events = new List<(Guid Id, int Capacity, bool HasWaitlist)>();
        for (var i = 0; i < 40; i++)
        {
            var capacity = i % 7 * 5;
            var hasWaitlist = i % 2 == 0;
            events.Add(((await database.CreateEventAsync(capacity, hasWaitlist)).Id, capacity, hasWaitlist));
        }

        var calls = events
            .SelectMany(evt => Enumerable.Range(0, 60).Select(_ => (evt, userId: Guid.NewGuid())))
            .OrderBy(_ => Random.Shared.Next())
            .Select(async call => (call.evt, answer: await cluster.Client.GetGrain<IEventCapacityGrain>(call.evt.Id).Enroll(call.userId, Guid.NewGuid())))
            .ToList();
        var answered = await Task.WhenAll(calls);

        foreach (var group in answered.GroupBy(call => call.evt))
        {
            var (eventId, capacity, hasWaitlist) = group.Key;
            var answers = group.Select(call => call.answer).ToList();
            Assert.Equal(capacity, answers.Count(answer => answer.IsConfirmed));
            Assert.Equal(hasWaitlist ? 60 - capacity : 0, answers.Count(answer => answer.IsWaitlisted));
            Assert.Equal(hasWaitlist ? 0 : 60 - capacity, answers.Count(answer => answer.Outcome == EnrollmentOutcome.EventFull));
            await AnsweredCalls.AssertDatabaseEqualsAsync(database.Queries, eventId, answers);
            await DatabaseInvariants.AssertHoldAsync(database.DataSource, eventId);
        }
    }

    [Fact]
    public async Task An_unknown_event_is_a_typed_answer_and_reads_as_empty()
    {
        var grain = cluster.Client.GetGrain<IEventCapacityGrain>(Guid.NewGuid());

        var answer = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());

        Assert.Equal(EnrollmentResult.EventNotFound, answer);
        Assert.Null(await grain.GetSummary());
        Assert.Null(await grain.GetEnrollment(Guid.NewGuid()));
    }

    [Fact]
    public async Task A_grain_reports_its_seats_and_each_users_enrollment()
    {
        var evt = await database.CreateEventAsync(capacity: 1, hasWaitlist: false);
        var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);

        var answer = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());

        Assert.True(answer.IsConfirmed);
        var summary = await grain.GetSummary();
        Assert.Equal(new EventCapacitySummary(evt.Id, new EnrollmentPolicy(1, false), 1, 0), summary);
        Assert.True(summary!.IsFull);
        Assert.Equal(answer.Enrollment, await grain.GetEnrollment(answer.Enrollment!.UserId));
    }

    [Fact]
    public async Task A_reactivated_grain_decides_from_the_database()
    {
        var evt = await database.CreateEventAsync(capacity: 2, hasWaitlist: true);
        var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);
        var first = await EnrollAllAsync(evt.Id, [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()]);

        await cluster.DeactivateAsync(grain);
        var later = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());
        var repeat = await grain.Enroll(first[2].Enrollment!.UserId, Guid.NewGuid());

        Assert.Equal(2, later.Enrollment!.WaitlistPosition);
        Assert.Equal(EnrollmentResult.AlreadyEnrolled(first[2].Enrollment!), repeat);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
    }
}
