using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Telemetry;

namespace OrleansEnrollment.Bench;

/// <summary>
/// Mixed traffic on a few small hot events, as people and an admin use them: three events of 5, 12 and 25 seats (the
/// 12-seat one without a waitlist); each client plays one person on each of them, walking through enrolling,
/// cancelling and reading their enrollment, one call at a time; one admin meanwhile checks people in, marks attendance and moves
/// the capacities up and down. Every answer the domain allows counts as an operation; a person's read that disagrees
/// with what they were last told counts as a failure.
/// </summary>
public static class MixedScenario
{
    private static readonly (int Capacity, bool HasWaitlist)[] Shapes = [(5, true), (12, false), (25, true)];

    public static async Task<ScenarioRun> RunAsync(BenchDatabase database, IGrainFactory grains, BenchOptions options)
    {
        var warmupEvents = await CreateEventsAsync(database, "warm-up");
        var timedEvents = await CreateEventsAsync(database, "timed");
        var warmup = options.WarmupRequestsFor(BenchOptions.Mixed);
        // Each client plays one person on each event and turns from one to the next at every call, so every event gets
        // a third of each client's calls whatever its latency: bound to one event, the clients of the quick event
        // (without a waitlist: mostly "Event is full", answered at once) would make most of the calls.
        var people = new Person[options.Clients][];
        var turns = new int[options.Clients];
        var everyone = new ConcurrentBag<Person>();
        var admin = new Admin(grains, warmupEvents);
        using var refusals = new RefusalCounter();

        using var stopAdmin = new CancellationTokenSource();
        var adminLoop = Task.Run(() => admin.RunAsync(stopAdmin.Token));
        var result = await LoadRunner.RunAsync(
            BenchOptions.Mixed, options.Clients, warmup, options.RequestsFor(BenchOptions.Mixed), options.Duration,
            async (client, number) =>
            {
                var events = number < warmup ? warmupEvents : timedEvents;
                if (people[client] is not { } mine || !events.Contains(mine[0].Event))
                {
                    // new people for each phase; seeded by client and event, so runs compare
                    mine = people[client] = events.Select((evt, index) => new Person(evt, new Random(client * 7919 + index * 31 + (number < warmup ? 0 : 1)))).ToArray();
                    admin.MoveTo(events);
                    Array.ForEach(mine, everyone.Add);
                }

                var person = mine[turns[client]++ % mine.Length];

                return await person.StepAsync(grains, admin);
            });
        await stopAdmin.CancelAsync();
        await adminLoop;

        var run = await Checks.AfterLoadAsync(database, BenchOptions.Mixed, [.. warmupEvents.Select(e => e.Id), .. timedEvents.Select(e => e.Id)], result,
            capacityMayHaveBeenLowered: true);
        var problems = run.Problems.ToList();
        problems.AddRange(await WhatPeopleWereToldAsync(database, everyone));
        var writes = result.Enrolled + everyone.Where(person => timedEvents.Contains(person.Event)).Sum(person => person.Cancellations);
        Console.WriteLine($"  mixed: {writes} of the timed operations wrote ({100.0 * writes / (result.Enrolled + result.Answered):F0} %: enrollments and cancellations); " +
                          $"the admin made {admin.Calls} calls ({admin.Done} done); {everyone.Count} people; {refusals.Count} refusal(s)");
        return run with { Problems = problems, Refusals = refusals.Count };
    }

    private static async Task<BenchEvent[]> CreateEventsAsync(BenchDatabase database, string phase)
    {
        var events = new BenchEvent[Shapes.Length];
        for (var i = 0; i < Shapes.Length; i++)
        {
            var (capacity, hasWaitlist) = Shapes[i];
            events[i] = new BenchEvent(await database.CreateEventAsync($"bench: mixed {phase} event {i + 1}", capacity, hasWaitlist), capacity, hasWaitlist);
        }

        return events;
    }

    /// <summary>Each person's last answer is what the database holds for them (the admin never cancels anyone).</summary>
    private static async Task<IEnumerable<string>> WhatPeopleWereToldAsync(BenchDatabase database, IEnumerable<Person> people)
    {
        var problems = new List<string>();
        foreach (var evt in people.GroupBy(person => person.Event.Id))
        {
            var live = (await new EnrollmentQueries(database.DataSource).ListAsync(evt.Key)).Where(e => e.Status != EnrollmentStatus.Cancelled).ToDictionary(e => e.UserId, e => e.Id);
            problems.AddRange(evt.Where(person => person.Holds != live.GetValueOrDefault(person.UserId) as Guid? && !(person.Holds is null && !live.ContainsKey(person.UserId)))
                .Select(person => $"mixed: person {person.UserId} was last told they hold {person.Holds?.ToString() ?? "nothing"}, " +
                                  $"the database has {(live.TryGetValue(person.UserId, out var id) ? id : "nothing")}"));
        }

        return problems;
    }

    public sealed record BenchEvent(Guid Id, int Capacity, bool HasWaitlist);

    /// <summary>
    /// One person walking, one call at a time, as people use an event page: without a place they enroll (80 %) or look
    /// (20 %); with one they cancel (50 %), look (35 %) or press enroll again (15 %, the double click). Each person keeps
    /// going round enroll → look → cancel, so the small events keep filling, emptying and promoting between the reads and
    /// repeats that write nothing; on the full event without a waitlist most tries are answered "Event is full".
    /// </summary>
    private sealed class Person(BenchEvent evt, Random random)
    {
        /// <summary>This person's cancellations that were done: with the new enrollments, the writes among the operations.</summary>
        public int Cancellations { get; private set; }

        public BenchEvent Event => evt;

        public Guid UserId { get; } = Guid.NewGuid();

        /// <summary>The enrollment their last answer says they hold.</summary>
        public Guid? Holds { get; private set; }

        public async Task<RequestOutcome> StepAsync(IGrainFactory grains, Admin admin)
        {
            var grain = grains.GetGrain<IEventCapacityGrain>(evt.Id);
            var roll = random.Next(100);
            if (Holds is null ? roll < 80 : roll >= 85)
            {
                var enrolled = await grain.Enroll(UserId, Guid.NewGuid());
                if (enrolled.Outcome == EnrollmentOutcome.EventNotFound || (enrolled.Outcome == EnrollmentOutcome.AlreadyEnrolled) != Holds.HasValue)
                {
                    return RequestOutcome.Unexpected;
                }

                Holds = enrolled.Enrollment?.Id;
                if (enrolled is { Outcome: EnrollmentOutcome.Enrolled, IsConfirmed: true })
                {
                    admin.Seated(evt.Id, enrolled.Enrollment!.Id);
                }

                return enrolled.Outcome == EnrollmentOutcome.Enrolled ? GrainScenarios.Classify(enrolled) : RequestOutcome.Answered;
            }

            if (Holds is not null && roll < 50)
            {
                var cancelled = await grain.CancelOwn(UserId, new TransitionRequest(UserId, Guid.NewGuid(), null));
                if (cancelled.Outcome is TransitionOutcome.Done or TransitionOutcome.NotFound)
                {
                    Holds = null;
                }

                if (cancelled.Outcome == TransitionOutcome.Done)
                {
                    Cancellations++;
                }

                return RequestOutcome.Answered;
            }

            var read = await grain.GetEnrollment(UserId);
            return read?.Id == Holds ? RequestOutcome.Answered : RequestOutcome.Unexpected;
        }
    }

    /// <summary>
    /// The admin: one call at a time, on the events people are walking on. Checks in someone seen confirmed, marks
    /// attendance of someone it checked in, and moves a capacity between its seats − 2 and + 4.
    /// </summary>
    private sealed class Admin(IGrainFactory grains, BenchEvent[] first)
    {
        private readonly ConcurrentDictionary<Guid, ConcurrentQueue<Guid>> seated = new();
        private readonly ConcurrentQueue<(Guid EventId, Guid EnrollmentId)> checkedIn = new();
        private readonly Random random = new(20261202);
        private volatile BenchEvent[] current = first;

        public long Calls { get; private set; }

        public long Done { get; private set; }

        /// <summary>The events of the phase the people are in (warm-up, then timed).</summary>
        public void MoveTo(BenchEvent[] events) => current = events;

        public void Seated(Guid eventId, Guid enrollmentId) => seated.GetOrAdd(eventId, _ => new ConcurrentQueue<Guid>()).Enqueue(enrollmentId);

        public async Task RunAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                var events = current;
                var evt = events[random.Next(events.Length)];
                var grain = grains.GetGrain<IEventCapacityGrain>(evt.Id);
                var request = new TransitionRequest(Guid.Empty, Guid.NewGuid(), null);
                var roll = random.Next(100);
                Calls++;
                if (roll < 40 && seated.TryGetValue(evt.Id, out var queue) && queue.TryDequeue(out var toCheckIn))
                {
                    var answer = await grain.CheckIn(toCheckIn, request);
                    if (answer.Outcome == TransitionOutcome.Done)
                    {
                        Done++;
                        checkedIn.Enqueue((evt.Id, toCheckIn));
                    }
                }
                else if (roll < 70 && checkedIn.TryDequeue(out var toAttend))
                {
                    Done += (await grains.GetGrain<IEventCapacityGrain>(toAttend.EventId).Attend(toAttend.EnrollmentId, request)).Outcome == TransitionOutcome.Done ? 1 : 0;
                }
                else
                {
                    await grain.ChangePolicy(new EnrollmentPolicy(Math.Max(0, evt.Capacity + random.Next(-2, 5)), evt.HasWaitlist), request);
                    Done++;
                }
            }
        }
    }

    /// <summary>Counts the refusals the silo reports (<c>enrollment.commit.refusals</c>) while it lives.</summary>
    private sealed class RefusalCounter : IDisposable
    {
        private readonly MeterListener listener = new();
        private long count;

        public RefusalCounter()
        {
            listener.InstrumentPublished = (instrument, subscriber) =>
            {
                if (instrument.Meter.Name == EnrollmentTelemetry.Name && instrument.Name == EnrollmentTelemetry.CommitRefusalsCounter)
                {
                    subscriber.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref count, value));
            listener.Start();
        }

        public long Count => Interlocked.Read(ref count);

        public void Dispose() => listener.Dispose();
    }
}
