using System.Globalization;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Bench;

/// <summary>
/// Latency under an offered rate rather than under a fixed number of waiting clients: Poisson arrivals
/// (<see cref="OpenLoopRunner"/>), each a new user enrolling through the co-hosted silo's grains, first all on one hot
/// event, then round robin over the spread scenario's number of events. Every event keeps a waitlist, so every
/// arrival gets an enrollment (confirmed, then waitlisted) whatever the rate.
/// </summary>
public static class OpenLoopScenario
{
    public const string Hot = "openloop-hot";
    public const string Spread = "openloop-spread";

    // Fixed, so every run offers the same arrival times at the same rate (issue 16).
    private const int Seed = 16;

    public static async Task<IReadOnlyList<ScenarioRun>> RunAsync(BenchDatabase database, IGrainFactory grains, BenchOptions options, double perSecond)
    {
        // Hot warms up on an event of its own, so the timed event starts empty; spread warms up on its events, already
        // activated, as the closed-loop scenarios do.
        var warmupEvent = await database.CreateEventAsync("bench: open-loop hot warm-up event", options.Capacity);
        var hotEvent = await database.CreateEventAsync("bench: open-loop hot event", options.Capacity);
        var hot = await RunAsync(database, grains, options, perSecond, Hot, Seed, [warmupEvent], [hotEvent]);

        var spreadEvents = new Guid[options.Events];
        await Parallel.ForAsync(0, options.Events, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (index, _) =>
            spreadEvents[index] = await database.CreateEventAsync($"bench: open-loop spread event {index + 1}", options.Capacity));
        await Parallel.ForEachAsync(spreadEvents, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (eventId, _) =>
            await grains.GetGrain<IEventCapacityGrain>(eventId).GetSummary());
        var spread = await RunAsync(database, grains, options, perSecond, Spread, Seed + 1, spreadEvents, spreadEvents);
        return [hot, spread];
    }

    private static async Task<ScenarioRun> RunAsync(
        BenchDatabase database, IGrainFactory grains, BenchOptions options, double perSecond, string scenario, int seed, Guid[] warmupEvents,
        Guid[] timedEvents)
    {
        Task<RequestOutcome> Enroll(Guid[] events, long number) =>
            Classify(grains.GetGrain<IEventCapacityGrain>(events[number % events.Length]).Enroll(Guid.NewGuid(), Guid.NewGuid()));

        // The warm-up: the same arrivals at the same rate, as many as --warmup asks for (untimed, but checked).
        var warmupArrivals = options.WarmupRequestsFor(BenchOptions.OpenLoop);
        var warmup = warmupArrivals == 0
            ? null
            : await OpenLoopRunner.RunAsync(perSecond, TimeSpan.FromSeconds(warmupArrivals / perSecond), seed + 100, 0, number => Enroll(warmupEvents, number));
        if (warmup is { Failed: > 0 })
        {
            Console.WriteLine($"  {scenario}: {warmup.Failed} warm-up arrival(s) failed, first: {warmup.FirstFailure}");
        }

        var open = await OpenLoopRunner.RunAsync(perSecond, options.OpenLoopDuration, seed, warmup?.Offered ?? 0, number => Enroll(timedEvents, number));
        if (open.Failed > 0)
        {
            Console.WriteLine($"  {scenario}: {open.Failed} arrival(s) failed, first: {open.FirstFailure}");
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  {scenario}: offered {perSecond:F0} arrivals/s (Poisson, seed {seed}) for {options.OpenLoopDuration.TotalSeconds:F0} s; " +
            $"{open.Offered} arrivals sent in {open.Sending.TotalSeconds:F2} s = {open.AchievedArrivalsPerSecond:F0}/s achieved " +
            $"(at most {open.MostBehind.TotalMilliseconds:F1} ms behind schedule); the last answer {open.Answering.TotalSeconds:F2} s after the start"));

        // Enrollments per second over the time until the last answer; latencies from each scheduled arrival.
        var result = new LoadResult(
            scenario, open.Confirmed + open.Waitlisted, open.Confirmed, open.Waitlisted, open.Failed + (warmup?.Failed ?? 0), open.Answering, open.Latency)
        {
            WarmupEnrolled = warmup is null ? 0 : warmup.Confirmed + warmup.Waitlisted,
        };
        return await Checks.AfterLoadAsync(database, scenario, warmupEvents.Union(timedEvents).ToArray(), result);
    }

    private static async Task<RequestOutcome> Classify(Task<EnrollmentResult> answer) => GrainScenarios.Classify(await answer);
}
