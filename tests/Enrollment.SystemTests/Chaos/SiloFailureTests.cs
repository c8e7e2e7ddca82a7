using Orleans.Configuration;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansEnrollment.Tests.Chaos;

/// <summary>
/// A silo dies in the middle of a burst: whatever was answered stays true, retries converge, no domain event is lost
/// (the relay re-emits what the dead silo had not), and every event serves again within seconds.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class SiloFailureTests(PostgresFixture database, ITestOutputHelper output)
{
    [Fact]
    public async Task A_silo_killed_mid_burst_loses_no_answered_enrollment()
    {
        await using var cluster = await EnrollmentTestCluster.StartAsync(database.ConnectionString, silos: 3, responseTimeout: TimeSpan.FromSeconds(15),
            settings: new Dictionary<string, string?>
            {
                ["Outbox:RedeliverAfter"] = "00:00:02",
                // The killed silo takes the messages its in-memory bus had not yet handed to its consumer with it: their
                // outbox rows say dispatched, and the consumption check has them emitted again (production waits 2 min).
                ["Outbox:ConsumedWithin"] = "00:00:03",
                ["Outbox:ConsumptionCheckInterval"] = "00:00:01",
            }, configure: silo =>
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

        // The grains are activated first (placement is random), and the victim is the secondary silo hosting the most of
        // them, so the kill interrupts calls in flight to its grains.
        var management = cluster.Client.GetGrain<IManagementGrain>(0);
        var hosts = new List<SiloAddress?>();
        foreach (var eventId in events)
        {
            var grain = cluster.Client.GetGrain<IEventCapacityGrain>(eventId);
            await grain.GetSummary();
            hosts.Add(await management.GetActivationAddress(grain));
        }

        // Placement is random: now and then every grain lands on the primary silo, which is never the victim. One more
        // event at a time until a secondary silo hosts one.
        while (!cluster.Silos.Skip(1).Any(silo => hosts.Contains(silo.SiloAddress)) && events.Count < 30)
        {
            var eventId = (await database.CreateEventAsync(capacity: 150, hasWaitlist: events.Count % 2 == 0)).Id;
            var grain = cluster.Client.GetGrain<IEventCapacityGrain>(eventId);
            await grain.GetSummary();
            events.Add(eventId);
            hosts.Add(await management.GetActivationAddress(grain));
        }

        var victim = cluster.Silos.Skip(1).MaxBy(silo => hosts.Count(host => silo.SiloAddress.Equals(host)))!;
        var victimHosts = hosts.Count(host => victim.SiloAddress.Equals(host));

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

        // Kill once a tenth of the burst is answered: on a quiet machine a fixed delay can land before the first
        // answer (every grain still activating), on a loaded one after the last.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (burst.Count(call => call.IsCompleted) < calls.Count / 10 && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(5);
        }

        var pendingAtKill = burst.Count(call => !call.IsCompleted);
        await cluster.KillSiloAsync(victim);
        // One newcomer per event, retried from the moment of the kill: how long until every event serves again.
        var probes = events.Select(eventId => (EventId: eventId, UserId: Guid.NewGuid())).ToList();
        EnrollmentResult?[] probeAnswers = new EnrollmentResult?[probes.Count];
        var recovery = ChaosChecks.TimeUntilServingAsync(async () =>
        {
            for (var i = 0; i < probes.Count; i++)
            {
                probeAnswers[i] ??= await cluster.Client.GetGrain<IEventCapacityGrain>(probes[i].EventId).Enroll(probes[i].UserId, Guid.NewGuid());
            }

            return true;
        }, TimeSpan.FromSeconds(30), "every event after the kill");
        var answered = await Task.WhenAll(burst);
        output.WriteLine($"the killed silo hosted {victimHosts} of {events.Count} events' grains; {pendingAtKill} of {calls.Count} calls " +
            $"were pending at the kill; {answered.Count(a => a.answer is null)} failed");
        output.WriteLine($"every event served a newcomer again {(await recovery).TotalMilliseconds:0} ms after the kill");
        Assert.True(pendingAtKill > 0, "the kill must land in the middle of the burst");
        Assert.True(victimHosts > 0, "the killed silo must host some of the events' grains");

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
        final.AddRange(probes.Select((probe, i) => (probe, probeAnswers[i]!)));
        foreach (var eventId in events)
        {
            var answers = final.Where(a => a.call.EventId == eventId).Select(a => a.answer).ToList();
            Assert.All(answers, answer => Assert.NotEqual(EnrollmentOutcome.EventNotFound, answer.Outcome));
            await AnsweredCalls.AssertDatabaseEqualsAsync(database.Queries, eventId, answers);
            await ChaosChecks.AssertNothingLostAsync(database.DataSource, database.Queries, eventId, answers, TimeSpan.FromSeconds(30));
            Assert.Equal(150, answers.Count(answer => answer.IsConfirmed));
        }
    }
}
