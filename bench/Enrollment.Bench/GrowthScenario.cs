using System.Diagnostics;
using System.Globalization;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Bench;

/// <summary>
/// How cost grows (issue 16, part 4): the same closed-loop enrollments against a growing number of open events, each
/// with its grain activated, and against one event with a growing waitlist. Each point reports throughput, latency and
/// what its grains take in memory; the points run one after another in the same silo, smallest first.
/// </summary>
public static class GrowthScenario
{
    public static readonly IReadOnlyList<int> OpenEvents = [1, 100, 1_000, 10_000];
    public static readonly IReadOnlyList<int> WaitlistLengths = [100, 10_000, 100_000];

    private const string OpenEventsAxis = "open events";
    private const string WaitlistAxis = "waitlist length";
    private const int DefaultRequests = 12_000;
    private const int DefaultWarmup = 3_000;

    /// <param name="Axis">"open events" or "waitlist length".</param>
    /// <param name="HeapGrowth">Managed heap growth from activating the point's grains (a full collection before and after).</param>
    /// <param name="Activation">How long activating them took (the first call on each).</param>
    /// <param name="WorkingSet">The process's working set after the point's load, the silo and every earlier point included.</param>
    public sealed record Point(string Axis, int Size, ScenarioRun Run, long HeapGrowth, TimeSpan Activation, long WorkingSet);

    public static async Task<IReadOnlyList<Point>> RunAsync(BenchDatabase database, IGrainFactory grains, BenchOptions options)
    {
        var points = new List<Point>();
        foreach (var count in OpenEvents)
        {
            var eventIds = new Guid[count];
            await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (index, _) =>
                eventIds[index] = await database.CreateEventAsync($"bench: growth, {count} open events, {index + 1}", options.Capacity));
            var (heap, activation) = await ActivateAsync(eventIds, eventId => grains.GetGrain<IEventCapacityGrain>(eventId).GetSummary());
            points.Add(await LoadAsync(database, grains, options, OpenEventsAxis, count, eventIds, heap, activation, seeded: 0));
        }

        foreach (var length in WaitlistLengths)
        {
            // the seats taken, then `length` people waiting: every enrollment of the load joins the back of the line
            var enrollments = options.Capacity + length;
            var eventId = await ActivationProbe.SeedEventAsync(database, $"bench: growth, a waitlist of {length}", options.Capacity, enrollments);
            var (heap, activation) = await ActivateAsync([eventId], id => ActivationProbe.ActivateAsync(grains, id, options.Capacity, enrollments));
            points.Add(await LoadAsync(database, grains, options, WaitlistAxis, length, [eventId], heap, activation, seeded: enrollments));
        }

        return points;
    }

    public static IEnumerable<string> Table(IReadOnlyList<Point> points)
    {
        yield return "  axis             size   enrollments/s   sustained/s   p50 ms   p99 ms   activation   heap growth   working set";
        foreach (var point in points)
        {
            var result = point.Run.Result;
            // per event for the open events, per person waiting for the waitlists: what grows along each axis
            var share = point.Axis == OpenEventsAxis
                ? $"{point.HeapGrowth / (double)point.Size / 1024.0:F1} KB/event"
                : $"{point.HeapGrowth / (double)point.Size:F0} B/waiting";
            yield return string.Create(CultureInfo.InvariantCulture,
                $"  {point.Axis,-15} {point.Size,7:N0} {result.EnrollmentsPerSecond,13:N0} {point.Run.SustainedPerSecond ?? 0,13:N0} " +
                $"{result.P50Ms,8:F1} {result.P99Ms,8:F1} {point.Activation.TotalMilliseconds,9:N0} ms " +
                $"{point.HeapGrowth / 1048576.0,8:F1} MB ({share}) {point.WorkingSet / 1048576.0,8:N0} MB");
        }
    }

    private static async Task<(long HeapGrowth, TimeSpan Activation)> ActivateAsync(IReadOnlyList<Guid> eventIds, Func<Guid, Task> activate)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var activating = Stopwatch.StartNew();
        await Parallel.ForEachAsync(eventIds, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (eventId, _) => await activate(eventId));
        var activation = activating.Elapsed;
        return (GC.GetTotalMemory(forceFullCollection: true) - before, activation);
    }

    private static async Task<Point> LoadAsync(
        BenchDatabase database, IGrainFactory grains, BenchOptions options, string axis, int size, Guid[] eventIds,
        long heapGrowth, TimeSpan activation, long seeded)
    {
        var name = $"growth, {size:N0} {(axis == OpenEventsAxis ? "open events" : "waiting")}";
        var warmup = options.Warmup ?? DefaultWarmup;
        // round robin, as spread: the requests in flight together go to different events
        var result = await LoadRunner.RunAsync(
            name, options.Clients, warmup, options.Requests ?? DefaultRequests, options.Duration,
            async number => GrainScenarios.Classify(
                await grains.GetGrain<IEventCapacityGrain>(eventIds[number % eventIds.Length]).Enroll(Guid.NewGuid(), Guid.NewGuid())));
        var run = await Checks.AfterLoadAsync(database, name, eventIds, result, seeded: seeded);
        return new Point(axis, size, run, heapGrowth, activation, Environment.WorkingSet);
    }
}
