using Orleans.Configuration;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansEnrollment.Tests.Cluster;

/// <summary>
/// Offers end on time even when the silo that held their event's grain dies before the deadline: the deadline is a row
/// in the database, and every silo's expiry poller looks for it, so the survivor wakes the grain (activating it anew,
/// from the database) and ends the offer; nothing about it lived only in the dead silo's memory.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class OfferExpiryAcrossSiloFailureTests(PostgresFixture database, ITestOutputHelper output)
{
    // Longer than the cluster takes to declare a killed silo dead (about 3 s with the probes below), so the deadline
    // falls after the grain can live again; the claim to check is "on time", not "as soon as a silo is declared dead".
    private static readonly TimeSpan ClaimWindow = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task Offers_held_by_a_killed_silos_grains_still_expire_within_two_seconds_of_their_deadline()
    {
        await using var cluster = await EnrollmentTestCluster.StartAsync(
            database.ConnectionString, silos: 2, settings: EnrollmentTestCluster.WithOfferExpiry(), responseTimeout: TimeSpan.FromSeconds(5),
            configure: silo => silo.Configure<ClusterMembershipOptions>(options =>
            {
                options.ProbeTimeout = TimeSpan.FromSeconds(1);
                options.NumMissedProbesLimit = 2;
                options.NumVotesForDeathDeclaration = 1;
            }));
        var management = cluster.Client.GetGrain<IManagementGrain>(0);
        var victim = cluster.Silos[1];
        var request = new TransitionRequest(null, Guid.NewGuid(), null);

        // Events in offer mode, each with its one seat taken and two people waiting, until a few have their grain on the victim
        // and at least one on the survivor.
        var events = new List<(Guid EventId, Guid Holder, Guid First, bool OnVictim)>();
        while ((events.Count(e => e.OnVictim) < 2 || events.All(e => e.OnVictim)) && events.Count < 40)
        {
            var eventId = (await database.CreateEventAsync(capacity: 1, hasWaitlist: true)).Id;
            var grain = cluster.Client.GetGrain<IEventCapacityGrain>(eventId);
            await grain.ChangePolicy(new EnrollmentPolicy(1, true) { Promotion = PromotionMode.Offer, ClaimWindow = ClaimWindow }, request);
            var (holder, first) = (Guid.NewGuid(), Guid.NewGuid());
            foreach (var user in new[] { holder, first, Guid.NewGuid() })
            {
                await grain.Enroll(user, Guid.NewGuid());
            }

            events.Add((eventId, holder, first, victim.SiloAddress.Equals(await management.GetActivationAddress(grain))));
        }

        Assert.True(events.Count(e => e.OnVictim) >= 2, "some grains must live on the silo that is killed");
        Assert.Contains(events, e => !e.OnVictim);

        // The seats free, the offers are made (deadline in the database), and the victim dies long before the deadline.
        var offers = new List<(Guid EventId, Guid EnrollmentId, DateTimeOffset Deadline, bool OnVictim)>();
        foreach (var (eventId, holder, first, onVictim) in events)
        {
            var grain = cluster.Client.GetGrain<IEventCapacityGrain>(eventId);
            Assert.Equal(TransitionOutcome.Done, (await grain.CancelOwn(holder, request with { ActorId = holder })).Outcome);
            var offered = (await grain.GetEnrollment(first))!;
            Assert.Equal(EnrollmentStatus.Offered, offered.Status);
            offers.Add((eventId, offered.Id, offered.OfferExpiresAt!.Value, onVictim));
        }

        await cluster.KillSiloAsync(victim);

        // Nobody calls any grain from here: each offer must end by itself.
        var ended = new Dictionary<Guid, DateTimeOffset>();
        var giveUp = offers.Max(offer => offer.Deadline) + TimeSpan.FromSeconds(30);
        while (ended.Count < offers.Count && DateTimeOffset.UtcNow < giveUp)
        {
            await Task.Delay(50);
            foreach (var offer in offers.Where(offer => !ended.ContainsKey(offer.EnrollmentId)))
            {
                if (await StatusAsync(offer.EnrollmentId) == "cancelled")
                {
                    ended[offer.EnrollmentId] = DateTimeOffset.UtcNow;
                }
            }
        }

        foreach (var offer in offers)
        {
            Assert.True(ended.ContainsKey(offer.EnrollmentId), $"the offer of event {offer.EventId} never ended");
            var lateness = ended[offer.EnrollmentId] - offer.Deadline;
            output.WriteLine($"event {offer.EventId} (grain {(offer.OnVictim ? "on the killed silo" : "on the survivor")}): ended {lateness.TotalMilliseconds:0} ms after its deadline");
            Assert.True(lateness < TimeSpan.FromSeconds(2), $"event {offer.EventId}: the offer ended {lateness.TotalMilliseconds:0} ms after its deadline");
            // the seat went on to the next person waiting, and every invariant holds
            var rows = await database.Queries.ListAsync(offer.EventId);
            Assert.Single(rows, row => row.Status == EnrollmentStatus.Offered);
            await DatabaseInvariants.AssertHoldAsync(database.DataSource, offer.EventId);
        }
    }

    [Fact]
    public async Task An_offer_whose_deadline_passed_while_no_silo_ran_ends_as_soon_as_a_silo_is_back()
    {
        var eventId = (await database.CreateEventAsync(capacity: 1, hasWaitlist: true)).Id;
        var request = new TransitionRequest(null, Guid.NewGuid(), null);
        var (holder, first, second) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        Enrollment offered;
        // This cluster never looks for expired offers, so however long it takes to stop, the offer is still standing
        // when it is gone (on a busy machine stopping took longer than the claim window).
        await using (var before = await EnrollmentTestCluster.StartAsync(database.ConnectionString, silos: 1))
        {
            var grain = before.Client.GetGrain<IEventCapacityGrain>(eventId);
            await grain.ChangePolicy(new EnrollmentPolicy(1, true) { Promotion = PromotionMode.Offer, ClaimWindow = TimeSpan.FromSeconds(1) }, request);
            foreach (var user in new[] { holder, first, second })
            {
                await grain.Enroll(user, Guid.NewGuid());
            }

            await grain.CancelOwn(holder, request with { ActorId = holder });
            offered = (await grain.GetEnrollment(first))!;
            Assert.Equal(EnrollmentStatus.Offered, offered.Status);
        }

        // The whole cluster is down when the deadline passes.
        var untilPastDeadline = offered.OfferExpiresAt!.Value + TimeSpan.FromSeconds(1) - DateTimeOffset.UtcNow;
        if (untilPastDeadline > TimeSpan.Zero)
        {
            await Task.Delay(untilPastDeadline);
        }

        Assert.Equal("offered", await StatusAsync(offered.Id));

        await using var after = await EnrollmentTestCluster.StartAsync(database.ConnectionString, silos: 1, settings: EnrollmentTestCluster.WithOfferExpiry());
        var up = DateTimeOffset.UtcNow;
        while (await StatusAsync(offered.Id) == "offered" && DateTimeOffset.UtcNow - up < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }

        var took = DateTimeOffset.UtcNow - up;
        output.WriteLine($"the offer ended {took.TotalMilliseconds:0} ms after the new cluster was up");
        Assert.Equal("cancelled", await StatusAsync(offered.Id));
        Assert.True(took < TimeSpan.FromSeconds(2), $"the offer ended {took.TotalMilliseconds:0} ms after the new cluster was up");
        Assert.Equal(EnrollmentStatus.Offered, (await after.Client.GetGrain<IEventCapacityGrain>(eventId).GetEnrollment(second))!.Status);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, eventId);
    }

    private Task<string?> StatusAsync(Guid enrollmentId) => database.StatusOfAsync(enrollmentId);
}
