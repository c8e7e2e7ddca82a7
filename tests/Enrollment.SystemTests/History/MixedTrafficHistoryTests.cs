using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Telemetry;
using OrleansEnrollment.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansEnrollment.Tests.History;

/// <summary>
/// A model-based history check of the whole cluster under mixed traffic and random store faults: people walk through
/// enrolling, cancelling and reading, an admin per event checks in, marks attendance, promotes and changes the
/// capacity, on three silos; on the event in offer mode people also accept and decline the seats offered to them, and
/// the offers nobody answers expire (the expiry pollers call the grain, through the same faulty store). Every call and
/// its answer is recorded, and afterwards held against what the database committed (<see cref="HistoryChecks"/>).
/// <para>
/// The run is seeded (<c>ENROLLMENT_HISTORY_SEED</c>): a replay makes the same calls per caller and draws the same
/// faults in the same order, but the callers run concurrently, so the interleaving (and which call meets which fault)
/// is the machine's. A failure prints its seed and the offending calls.
/// </para>
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class MixedTrafficHistoryTests(PostgresFixture database, ITestOutputHelper output) : IAsyncLifetime
{
    public const string SeedVariable = "ENROLLMENT_HISTORY_SEED";

    private const int PeoplePerEvent = 60;
    private const int StepsPerPerson = 115;
    private const int AdminSteps = 150;
    private const double FaultRate = 0.12;

    // The last event offers its freed seats for a second, so accepting, declining and expiring all happen during the run.
    private static readonly (int Capacity, bool HasWaitlist, bool Offers)[] Events = [(5, true, false), (12, false, false), (25, true, false), (10, true, true)];

    private static readonly TimeSpan ClaimWindow = TimeSpan.FromSeconds(1);

    // How long the scene's waiter waits for the offer to run out: the deadline plus many of the poller's passes, each of
    // which the faulty store may fail.
    private static readonly TimeSpan ExpiryWait = TimeSpan.FromSeconds(30);

    private readonly int seed = int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out var chosen) ? chosen : 20261202;
    private RandomFaultStore store = null!;
    private InProcessTestCluster cluster = null!;
    private MetricRecorder metrics = null!;

    public async Task InitializeAsync()
    {
        store = new RandomFaultStore(database.Store, seed, FaultRate);
        cluster = await EnrollmentTestCluster.StartAsync(
            database.ConnectionString,
            silos: 3,
            settings: EnrollmentTestCluster.WithOfferExpiry(new Dictionary<string, string?> { ["Outbox:RedeliverAfter"] = "00:00:02" }),
            configure: silo => silo.Services.AddSingleton<IEnrollmentStore>(store));
        metrics = new MetricRecorder(cluster.Silos.Select(silo => silo.ServiceProvider));
    }

    public async Task DisposeAsync()
    {
        metrics.Dispose();
        await cluster.DisposeAsync();
    }

    [Fact]
    public async Task Every_answer_of_a_long_mixed_run_with_store_faults_is_what_the_database_committed()
    {
        var context = $"seed {seed} (replay: {SeedVariable}={seed} scripts/test.sh --filter FullyQualifiedName~MixedTrafficHistoryTests)";
        var random = new Random(seed);
        var calls = new ConcurrentQueue<RecordedCall>();
        var eventIds = new List<Guid>();
        var clock = Stopwatch.StartNew();

        var callers = new List<Task>();
        // The events are set up before any fault is drawn: the offer event's policy change is not part of the run.
        store.Enabled = false;
        var events = new List<(Guid Id, IEventCapacityGrain Grain, int Capacity, bool HasWaitlist, bool Offers)>();
        foreach (var (capacity, hasWaitlist, offers) in Events)
        {
            var evt = await database.CreateEventAsync(capacity, hasWaitlist, "History run");
            var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);
            if (offers)
            {
                await grain.ChangePolicy(OfferPolicy(capacity, hasWaitlist), new TransitionRequest(null, Guid.NewGuid(), null));
            }

            eventIds.Add(evt.Id);
            events.Add((evt.Id, grain, capacity, hasWaitlist, offers));
        }

        // One more event plays a fixed scene beside the random run (LetAnOfferExpireAsync), so an offer nobody answers
        // expires under the same faults however fast the machine is: a quick run can make all its offers while the admin
        // still flips the offer event to automatic, which confirms them before they run out.
        var scene = await database.CreateEventAsync(1, true, "History run: an offer nobody answers");
        var sceneGrain = cluster.Client.GetGrain<IEventCapacityGrain>(scene.Id);
        await sceneGrain.ChangePolicy(OfferPolicy(1, true), new TransitionRequest(null, Guid.NewGuid(), null));
        eventIds.Add(scene.Id);

        store.Enabled = true;
        var sceneRun = Task.Run(() => LetAnOfferExpireAsync(scene.Id, sceneGrain, calls));
        callers.Add(sceneRun);
        foreach (var (eventId, grain, capacity, hasWaitlist, offers) in events)
        {
            for (var person = 0; person < PeoplePerEvent; person++)
            {
                var walkSeed = random.Next();
                callers.Add(Task.Run(() => WalkAsync(eventId, grain, offers, new Random(walkSeed), calls)));
            }

            var adminSeed = random.Next();
            callers.Add(Task.Run(() => AdministerAsync(eventId, grain, capacity, hasWaitlist, offers, new Random(adminSeed), calls)));
        }

        await Task.WhenAll(callers);
        var driven = clock.Elapsed;
        await store.LateCommitsSettledAsync();
        store.Enabled = false;

        var recorded = calls.ToList();
        Assert.True(recorded.Count >= 20_000, $"{context}: only {recorded.Count} operations");
        var problems = await HistoryChecks.FindProblemsAsync(database.DataSource, eventIds, recorded);

        // Each refusal the writers saw is one the store injected: none came from the database.
        var refusals = metrics.Of(EnrollmentTelemetry.CommitRefusalsCounter).Sum(measurement => measurement.Value);
        if (refusals != store.InjectedRefusals)
        {
            problems.Add($"the writers counted {refusals} refusals, the store injected {store.InjectedRefusals}");
        }

        output.WriteLine($"{context}: {recorded.Count} operations in {driven.TotalSeconds:F1} s ({clock.Elapsed.TotalSeconds:F1} s with the checks)");
        output.WriteLine("  by kind and outcome: " + string.Join(", ", recorded
            .GroupBy(call => $"{call.Kind} {Outcome(call)}").OrderBy(group => group.Key).Select(group => $"{group.Key} {group.Count()}")));
        output.WriteLine("  faults injected: " + string.Join(", ", store.Injected.OrderBy(pair => pair.Key).Select(pair => $"{pair.Key} {pair.Value}")));
        var offerEnds = await OfferEndsAsync(events.Single(e => e.Offers).Id, scene.Id);
        output.WriteLine("  offers: " + string.Join(", ", offerEnds.Select(pair => $"{pair.Key} {pair.Value}")));
        Assert.True(problems.Count == 0, $"{context}: {problems.Count} problem(s):\n  " + string.Join("\n  ", problems.Take(30)));
        Assert.True(await sceneRun, $"{context}: the scene's offer did not run out within {ExpiryWait.TotalSeconds} s");
        foreach (var reason in new[] { "a seat opened: offered", "offer accepted", "offer declined", "offer expired" })
        {
            Assert.True(offerEnds.GetValueOrDefault(reason) > 0, $"{context}: the run made no '{reason}' step");
        }
    }

    private static EnrollmentPolicy OfferPolicy(int capacity, bool hasWaitlist) =>
        new(capacity, hasWaitlist) { Promotion = PromotionMode.Offer, ClaimWindow = ClaimWindow };

    /// <summary>
    /// One person, one call at a time: enroll, cancel, read what they hold, look at the event; on the offer event also
    /// accept or decline; told of an offer, some are away until it runs out.
    /// </summary>
    private static async Task WalkAsync(Guid eventId, IEventCapacityGrain grain, bool offers, Random random, ConcurrentQueue<RecordedCall> calls)
    {
        var user = Guid.NewGuid();
        string? answerOffer = null;
        for (var step = 0; step < StepsPerPerson; step++)
        {
            var roll = random.Next(100);
            var kind = roll switch
            {
                _ when answerOffer is { } answer => answer,
                < 45 => "enroll",
                < 66 => "cancel",
                < 78 when offers => "accept",
                < 82 when offers => "decline",
                < 90 => "read",
                _ => "summary",
            };
            var call = new RecordedCall(kind, eventId, user, Guid.NewGuid());
            var request = new TransitionRequest(user, call.RequestId, null);
            calls.Enqueue(call);
            await SwallowFailureAsync(call.Kind switch
            {
                "enroll" => call.RecordAsync(() => grain.Enroll(user, call.RequestId)),
                "cancel" => call.RecordAsync(() => grain.CancelOwn(user, request)),
                "accept" => call.RecordAsync(() => grain.AcceptOffer(user, request)),
                "decline" => call.RecordAsync(() => grain.DeclineOffer(user, request)),
                "read" => call.RecordAsync(() => grain.GetEnrollment(user)),
                _ => call.RecordAsync(grain.GetSummary),
            });

            // Told a seat is held for them, two people in three are away until the offer has run out (well past the
            // deadline plus the expiry poller's interval, even on a loaded machine); the others answer it with their next
            // call, mostly taking the seat.
            answerOffer = null;
            if (call.Answer is EnrollmentResult { Enrollment.Status: EnrollmentStatus.Offered } or Enrollment { Status: EnrollmentStatus.Offered })
            {
                if (random.Next(3) > 0)
                {
                    await Task.Delay(ClaimWindow * 3);
                }
                else
                {
                    answerOffer = random.Next(4) == 0 ? "decline" : "accept";
                }
            }
        }
    }

    /// <summary>
    /// The admin, working from the roster as the admin page shows it (a moment old, so "not found" and "not allowed" are
    /// fair answers): checks in, marks attendance, promotes someone waiting, and moves the capacity and the waitlist.
    /// </summary>
    private async Task AdministerAsync(
        Guid eventId, IEventCapacityGrain grain, int capacity, bool hasWaitlist, bool offers, Random random, ConcurrentQueue<RecordedCall> calls)
    {
        for (var step = 0; step < AdminSteps; step++)
        {
            var roster = await database.Queries.ListAsync(eventId);
            Enrollment? Any(EnrollmentStatus status) => roster.Where(e => e.Status == status).OrderBy(_ => random.Next()).FirstOrDefault();
            var roll = random.Next(100);
            var (kind, target) = roll switch
            {
                < 40 => ("check-in", Any(EnrollmentStatus.Confirmed)),
                < 65 => ("attend", Any(EnrollmentStatus.CheckedIn)),
                < 70 => ("promote", Any(EnrollmentStatus.Waitlisted)),
                < 75 => ("promote", offers ? Any(EnrollmentStatus.Offered) : Any(EnrollmentStatus.Waitlisted)),
                _ => ("policy", null),
            };
            var call = new RecordedCall(kind, eventId, target?.UserId, Guid.NewGuid());
            var request = new TransitionRequest(Guid.NewGuid(), call.RequestId, null);
            if (kind != "policy" && target is null)
            {
                continue;
            }

            calls.Enqueue(call);
            await SwallowFailureAsync(kind switch
            {
                "check-in" => call.RecordAsync(() => grain.CheckIn(target!.Id, request)),
                "attend" => call.RecordAsync(() => grain.Attend(target!.Id, request)),
                "promote" => call.RecordAsync(() => grain.Promote(target!.Id, request)),
                _ => call.RecordAsync(() => grain.ChangePolicy(NextPolicy(step), request)),
            });
            await Task.Delay(random.Next(1, 15));
        }

        // Capacity and waitlist move around the event's own; in the first half of the admin's steps the offer event goes
        // back to automatic now and then (which confirms the people holding offers) and to offers again. The admin is done
        // well before the people are, so from the second half on it stays in offer mode: left in automatic by chance, the
        // rest of the run would make no offer at all.
        EnrollmentPolicy NextPolicy(int step)
        {
            var policy = new EnrollmentPolicy(Math.Max(0, capacity + random.Next(-3, 5)), hasWaitlist ? random.Next(5) > 0 : random.Next(5) == 0);
            return offers && (step >= AdminSteps / 2 || random.Next(10) > 0) ? OfferPolicy(policy.Capacity!.Value, policy.HasWaitlist) : policy;
        }
    }

    /// <summary>How many offers the offer event made, and how they ended, by audit reason.</summary>
    private async Task<Dictionary<string, long>> OfferEndsAsync(params Guid[] eventIds)
    {
        await using var command = database.DataSource.CreateCommand(
            "SELECT reason, count(*) FROM enrollment_transitions WHERE event_id = ANY($1) AND 'offered' IN (from_status, to_status) GROUP BY reason ORDER BY reason");
        command.Parameters.Add(new Npgsql.NpgsqlParameter<Guid[]> { TypedValue = eventIds });
        var counts = new Dictionary<string, long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    /// <summary>
    /// The scene on an event of one seat in offer mode: one person takes the seat, another waits, the first cancels, the
    /// second is offered the seat and is away until it runs out, then looks. Every call is recorded like the random
    /// ones; a call the faulty store fails is sent again (a repeated enroll or cancel answers with what the first did).
    /// </summary>
    /// <returns>Whether the offer ran out within <see cref="ExpiryWait"/>.</returns>
    private static async Task<bool> LetAnOfferExpireAsync(Guid eventId, IEventCapacityGrain grain, ConcurrentQueue<RecordedCall> calls)
    {
        var holder = Guid.NewGuid();
        var waiter = Guid.NewGuid();
        await UntilAnsweredAsync("enroll", holder, call => grain.Enroll(holder, call.RequestId));
        await UntilAnsweredAsync("enroll", waiter, call => grain.Enroll(waiter, call.RequestId));
        await UntilAnsweredAsync("cancel", holder, call => grain.CancelOwn(holder, new TransitionRequest(holder, call.RequestId, null)));

        var gaveUpAt = DateTime.UtcNow + ExpiryWait;
        while (DateTime.UtcNow < gaveUpAt)
        {
            await Task.Delay(ClaimWindow);
            // the current enrollment: waitlisted, then offered, then none once the offer has run out
            if (await UntilAnsweredAsync("read", waiter, _ => grain.GetEnrollment(waiter)) is null)
            {
                return true;
            }
        }

        return false;

        async Task<object?> UntilAnsweredAsync<T>(string kind, Guid userId, Func<RecordedCall, Task<T>> send)
        {
            while (true)
            {
                var call = new RecordedCall(kind, eventId, userId, Guid.NewGuid());
                calls.Enqueue(call);
                await SwallowFailureAsync(call.RecordAsync(() => send(call)));
                if (call.Succeeded)
                {
                    return call.Answer;
                }
            }
        }
    }

    /// <summary>A failure is an answer too (recorded with its call); the caller goes on with its walk.</summary>
    private static async Task SwallowFailureAsync(Task call)
    {
        try
        {
            await call;
        }
        catch (Exception)
        {
        }
    }

    private static string Outcome(RecordedCall call) => call.Answer switch
    {
        _ when call.NothingWritten => "failed (nothing written)",
        _ when call.OutcomeUnknown => "failed (unknown)",
        EnrollmentResult result => result.Outcome + (result.Enrollment is { } e ? $" {e.Status.ToName()}" : ""),
        TransitionResult result => result.Outcome.ToString(),
        null => "nothing",
        _ => "answered",
    };
}
