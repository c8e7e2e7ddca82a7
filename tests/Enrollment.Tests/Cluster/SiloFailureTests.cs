using Xunit.Abstractions;
using Orleans.Configuration;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Cluster;

/// <summary>A silo dies in the middle of a burst: whatever was answered stays true, and retries converge.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SiloFailureTests(PostgresFixture database, ITestOutputHelper output)
{
    [Fact]
    public async Task A_silo_killed_mid_burst_loses_no_answered_enrollment()
    {
        await using var cluster = await EnrollmentTestCluster.StartAsync(database.ConnectionString, silos: 3, responseTimeout: TimeSpan.FromSeconds(15), configure: silo =>
        {
            // notice a dead silo within a few seconds rather than the production default
            silo.Configure<ClusterMembershipOptions>(options =>
            {
                options.ProbeTimeout = TimeSpan.FromSeconds(1);
                options.NumMissedProbesLimit = 2;
                options.NumVotesForDeathDeclaration = 1;
            });
        });

        // several events, so the grains are spread over the silos and the victim hosts some of them
        var events = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            events.Add((await database.CreateEventAsync(capacity: 150, hasWaitlist: i % 2 == 0)).Id);
        }

        var calls = events
            .SelectMany(eventId => Enumerable.Range(0, 400).Select(_ => (EventId: eventId, UserId: Guid.NewGuid())))
            .OrderBy(_ => Random.Shared.Next())
            .ToList();
        var burst = calls.Select(async (call, index) =>
        {
            await Task.Delay(index / 20); // a burst spread over about a second, so the kill lands in its middle
            try
            {
                return (call, answer: (EnrollmentResult?)await cluster.Client.GetGrain<IEventCapacityGrain>(call.EventId).Enroll(call.UserId, Guid.NewGuid()));
            }
            catch (Exception)
            {
                return (call, answer: null);
            }
        }).ToList();

        await Task.Delay(300);
        var pendingAtKill = burst.Count(call => !call.IsCompleted);
        await cluster.KillSiloAsync(cluster.Silos[1]);
        var answered = await Task.WhenAll(burst);
        output.WriteLine($"{pendingAtKill} of {calls.Count} calls were pending at the kill; {answered.Count(a => a.answer is null)} failed");
        Assert.True(pendingAtKill > 0, "the kill must land in the middle of the burst");

        // What was answered is durable, exactly as answered.
        foreach (var eventId in events)
        {
            var answers = answered.Where(a => a.call.EventId == eventId && a.answer is not null).Select(a => a.answer!);
            await AnsweredCalls.AssertDurableAsync(database.Queries, eventId, answers);
            await DatabaseInvariants.AssertHoldAsync(database.DataSource, eventId);
        }

        // Everyone whose call failed tries again; enrolling is idempotent, so they converge on one enrollment each.
        var retried = await Task.WhenAll(answered.Where(a => a.answer is null).Select(async a =>
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return (a.call, answer: await cluster.Client.GetGrain<IEventCapacityGrain>(a.call.EventId).Enroll(a.call.UserId, Guid.NewGuid()));
                }
                catch (Exception) when (attempt < 20)
                {
                    await Task.Delay(500);
                }
            }
        }));

        var final = answered.Where(a => a.answer is not null).Select(a => (a.call, answer: a.answer!)).Concat(retried).ToList();
        Assert.Equal(calls.Count, final.Count);
        foreach (var eventId in events)
        {
            var answers = final.Where(a => a.call.EventId == eventId).Select(a => a.answer).ToList();
            Assert.All(answers, answer => Assert.NotEqual(EnrollmentOutcome.EventNotFound, answer.Outcome));
            await AnsweredCalls.AssertDatabaseEqualsAsync(database.Queries, eventId, answers);
            await DatabaseInvariants.AssertHoldAsync(database.DataSource, eventId);
            Assert.Equal(150, answers.Count(answer => answer.IsConfirmed));
        }
    }
}
