using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Chaos;

/// <summary>
/// Two clusters on one database each activate the same event's grain: two deciders with their own memory, which
/// Orleans otherwise allows only briefly. The database backstop must keep the event correct anyway.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class DuplicateActivationTests(PostgresFixture database)
{
    // A refused group's events are never written, but an emit lost to a race is re-emitted by the relay after this.
    private static readonly Dictionary<string, string?> QuickRelay = new() { ["Outbox:RedeliverAfter"] = "00:00:02" };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Two_activations_of_one_event_never_overfill_it_or_repeat_a_position(bool hasWaitlist)
    {
        await using var east = await EnrollmentTestCluster.StartAsync(database.ConnectionString, silos: 1, settings: QuickRelay);
        await using var west = await EnrollmentTestCluster.StartAsync(database.ConnectionString, silos: 1, settings: QuickRelay);
        Assert.NotEqual(east.Options.ClusterId, west.Options.ClusterId); // two clusters, so Orleans cannot prevent two activations
        var evt = await database.CreateEventAsync(capacity: 40, hasWaitlist);
        var grains = new[] { east.Client.GetGrain<IEventCapacityGrain>(evt.Id), west.Client.GetGrain<IEventCapacityGrain>(evt.Id) };
        // both activations load the empty event before the race starts, so both start out stale for each other
        await Task.WhenAll(grains.Select(grain => grain.GetSummary()));

        var users = Enumerable.Range(0, 300).Select(_ => Guid.NewGuid()).ToList();
        var answers = await Task.WhenAll(users.Select((userId, index) => grains[index % 2].Enroll(userId, Guid.NewGuid())));

        Assert.Equal(40, answers.Count(answer => answer.IsConfirmed));
        if (hasWaitlist)
        {
            Assert.Equal(Enumerable.Range(1, 260), answers.Where(answer => answer.IsWaitlisted).Select(answer => answer.Enrollment!.WaitlistPosition!.Value).Order());
        }
        else
        {
            Assert.Equal(260, answers.Count(answer => answer.Outcome == EnrollmentOutcome.EventFull));
        }

        await AnsweredCalls.AssertDatabaseEqualsAsync(database.Queries, evt.Id, answers);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);

        // Both activations still serve (each catches up with the other's writes), and the domain events both wrote
        // form one gap-free sequence, each delivered once although two emitters and two buses carried them.
        var late = await Task.WhenAll(grains.Select(grain => grain.Enroll(Guid.NewGuid(), Guid.NewGuid())));
        Assert.All(late, answer => Assert.Equal(hasWaitlist ? EnrollmentOutcome.Enrolled : EnrollmentOutcome.EventFull, answer.Outcome));
        await ChaosChecks.AssertNothingLostAsync(database.DataSource, database.Queries, evt.Id, [.. answers, .. late], TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task The_same_user_through_both_activations_gets_one_enrollment()
    {
        await using var east = await EnrollmentTestCluster.StartAsync(database.ConnectionString, silos: 1);
        await using var west = await EnrollmentTestCluster.StartAsync(database.ConnectionString, silos: 1);
        var evt = await database.CreateEventAsync(capacity: 10, hasWaitlist: true);
        var grains = new[] { east.Client.GetGrain<IEventCapacityGrain>(evt.Id), west.Client.GetGrain<IEventCapacityGrain>(evt.Id) };
        await Task.WhenAll(grains.Select(grain => grain.GetSummary()));

        var users = Enumerable.Range(0, 100).Select(_ => Guid.NewGuid()).ToList();
        var answers = await Task.WhenAll(users.SelectMany(userId => grains.Select(grain => grain.Enroll(userId, Guid.NewGuid()))));

        foreach (var group in answers.GroupBy(answer => answer.Enrollment!.UserId))
        {
            Assert.Single(group.Select(answer => answer.Enrollment!.Id).Distinct());
        }

        Assert.Equal(100, (await database.Queries.ListAsync(evt.Id)).Count);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
    }
}
