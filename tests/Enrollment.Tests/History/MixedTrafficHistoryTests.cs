using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Telemetry;
using OrleansEnrollment.Tests.Infrastructure;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace OrleansEnrollment.Tests.History;

/// <summary>
/// A model-based history check of the whole cluster under mixed traffic and random store faults: people walk through
/// enrolling, cancelling and reading, an admin per event checks in, marks attendance, promotes and changes the
/// capacity, on three silos; every call and its answer is recorded, and afterwards held against what the database
/// committed (<see cref="HistoryChecks"/>).
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

    private static readonly (int Capacity, bool HasWaitlist)[] Events = [(5, true), (12, false), (25, true)];

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
            settings: new Dictionary<string, string?> { ["Outbox:RedeliverAfter"] = "00:00:02" },
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
        foreach (var (capacity, hasWaitlist) in Events)
        {
            var evt = await database.CreateEventAsync(capacity, hasWaitlist, "History run");
            eventIds.Add(evt.Id);
            var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);
            var people = new List<Task>();
            for (var person = 0; person < PeoplePerEvent; person++)
            {
                var walkSeed = random.Next();
                people.Add(Task.Run(() => WalkAsync(evt.Id, grain, new Random(walkSeed), calls)));
            }

            var adminSeed = random.Next();
            callers.AddRange(people);
            callers.Add(Task.Run(() => AdministerAsync(evt.Id, grain, capacity, hasWaitlist, new Random(adminSeed), calls)));
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
        Assert.True(problems.Count == 0, $"{context}: {problems.Count} problem(s):\n  " + string.Join("\n  ", problems.Take(30)));
    }

    /// <summary>One person, one call at a time: enroll, cancel, read what they hold, look at the event.</summary>
    private static async Task WalkAsync(Guid eventId, IEventCapacityGrain grain, Random random, ConcurrentQueue<RecordedCall> calls)
    {
        var user = Guid.NewGuid();
        for (var step = 0; step < StepsPerPerson; step++)
        {
            var roll = random.Next(100);
            var call = new RecordedCall(roll switch { < 45 => "enroll", < 70 => "cancel", < 90 => "read", _ => "summary" }, eventId, user, Guid.NewGuid());
            calls.Enqueue(call);
            await SwallowFailureAsync(call.Kind switch
            {
                "enroll" => call.RecordAsync(() => grain.Enroll(user, call.RequestId)),
                "cancel" => call.RecordAsync(() => grain.CancelOwn(user, new TransitionRequest(user, call.RequestId, null))),
                "read" => call.RecordAsync(() => grain.GetEnrollment(user)),
                _ => call.RecordAsync(grain.GetSummary),
            });
        }
    }

    /// <summary>
    /// The admin, working from the roster as the admin page shows it (a moment old, so "not found" and "not allowed" are
    /// fair answers): checks in, marks attendance, promotes someone waiting, and moves the capacity and the waitlist.
    /// </summary>
    private async Task AdministerAsync(Guid eventId, IEventCapacityGrain grain, int capacity, bool hasWaitlist, Random random, ConcurrentQueue<RecordedCall> calls)
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
                < 75 => ("promote", Any(EnrollmentStatus.Waitlisted)),
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
                _ => call.RecordAsync(() => grain.ChangePolicy(
                    new EnrollmentPolicy(Math.Max(0, capacity + random.Next(-3, 5)), hasWaitlist ? random.Next(5) > 0 : random.Next(5) == 0), request)),
            });
            await Task.Delay(random.Next(1, 15));
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
