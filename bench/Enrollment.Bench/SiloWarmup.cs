using System.Globalization;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Bench;

/// <summary>
/// Untimed load through the co-hosted silo before its first measured scenario, so that scenario is not the one that
/// pays for the process's JIT. A scenario's own warm-up (15,000 requests, about 2 s) is far shorter than tiered
/// compilation takes to reach steady state on two busy cores: the background compiler has to promote thousands of
/// Orleans and MassTransit methods through tier 0, the instrumented tier (tiered PGO) and tier 1, and it competes with
/// the load for the CPU. Without this, hot measured 6,100–6,300/s in runs where 60 s of the same load sustained 9,200/s.
/// The figures it prints per window show how a freshly started silo warms up under load.
/// </summary>
public static class SiloWarmup
{
    private const int Windows = 4;
    private const int SpreadEvents = 100;

    public static async Task<IReadOnlyList<string>> RunAsync(BenchDatabase database, IGrainFactory grains, BenchOptions options)
    {
        // One hot event and a hundred quiet ones: both shapes of the pipeline (big groups on one grain, many grains with
        // groups of one sharing transactions) get compiled, and the hot event's waitlist path as well as confirmations.
        var hotEventId = await database.CreateEventAsync("bench: silo warm-up hot event", options.Capacity);
        var spreadEventIds = new Guid[SpreadEvents];
        for (var index = 0; index < SpreadEvents; index++)
        {
            spreadEventIds[index] = await database.CreateEventAsync($"bench: silo warm-up event {index + 1}", options.Capacity);
        }

        var window = options.SiloWarmup / Windows;
        var rates = new List<double>();
        var problems = new List<string>();
        long enrolled = 0;
        LoadResult? last = null;
        for (var round = 0; round < Windows; round++)
        {
            // Each window is a closed loop of its own, so its rate is that of the compiled code at that moment.
            last = await LoadRunner.RunAsync(
                "silo warm-up", options.Clients, warmup: 0, maxRequests: int.MaxValue, window,
                async number =>
                {
                    var eventId = number % 2 == 0 ? hotEventId : spreadEventIds[number / 2 % SpreadEvents];
                    return GrainScenarios.Classify(await grains.GetGrain<IEventCapacityGrain>(eventId).Enroll(Guid.NewGuid(), Guid.NewGuid()));
                });
            rates.Add(last.EnrollmentsPerSecond);
            if (last.Failed > 0 && round < Windows - 1)
            {
                problems.Add($"silo warm-up: {last.Failed} request(s) failed in window {round + 1}");
            }

            enrolled += last.Enrolled;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  silo warm-up: {string.Join(", ", rates.Select(rate => rate.ToString("F0", CultureInfo.InvariantCulture)))} enrollments/s " +
            $"in {Windows} windows of {window.TotalSeconds:F0} s (half on one event, half over {SpreadEvents})"));

        // Held against the database like every scenario, the earlier windows' enrollments counted as seeded.
        var checkedRun = await Checks.AfterLoadAsync(
            database, "silo warm-up", [hotEventId, .. spreadEventIds], last!, seeded: enrolled - last!.Enrolled);
        problems.AddRange(checkedRun.Problems); // the last window's failures included
        return problems;
    }
}
