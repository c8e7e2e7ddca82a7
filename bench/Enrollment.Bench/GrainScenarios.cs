using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Bench;

/// <summary>Our system without HTTP: clients call the EventCapacity grains of a co-hosted silo directly.</summary>
public static class GrainScenarios
{
    /// <summary>Every client on one event, as the baseline: its grain decides them one at a time.</summary>
    public static async Task<ScenarioRun> HotAsync(BenchDatabase database, IGrainFactory grains, BenchOptions options)
    {
        // The warm-up has an event of its own, so the timed event starts empty, as the baseline's does.
        var warmupEventId = await database.CreateEventAsync("bench: hot warm-up event", options.Capacity);
        var eventId = await database.CreateEventAsync("bench: hot event", options.Capacity);
        return await RunAsync(database, grains, options, BenchOptions.Hot, [warmupEventId], [eventId]);
    }

    /// <summary>The same load over many events, so many grains decide (and commit) at once.</summary>
    public static async Task<ScenarioRun> SpreadAsync(BenchDatabase database, IGrainFactory grains, BenchOptions options)
    {
        var eventIds = new Guid[options.Events];
        await Parallel.ForAsync(0, options.Events, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (index, _) =>
            eventIds[index] = await database.CreateEventAsync($"bench: spread event {index + 1}", options.Capacity));
        // Activated before the warm-up, so a short warm-up suffices and no activation falls into the timed part.
        await Parallel.ForEachAsync(eventIds, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (eventId, _) =>
            await grains.GetGrain<IEventCapacityGrain>(eventId).GetSummary());
        // Warmed up on the same events: 1,000 more activations would only lengthen the run, and with 100 seats each
        // the warm-up and timed requests together are all confirmed either way.
        return await RunAsync(database, grains, options, BenchOptions.Spread, eventIds, eventIds);
    }

    private static async Task<ScenarioRun> RunAsync(
        BenchDatabase database, IGrainFactory grains, BenchOptions options, string scenario, Guid[] warmupEventIds, Guid[] eventIds)
    {
        var warmup = options.WarmupRequestsFor(scenario);
        // Round robin: consecutive requests, and so the ones in flight together, go to different events.
        var result = await LoadRunner.RunAsync(
            scenario, options.Clients, warmup, options.RequestsFor(scenario), options.Duration,
            async number =>
            {
                var events = number < warmup ? warmupEventIds : eventIds;
                return Classify(await grains.GetGrain<IEventCapacityGrain>(events[number % events.Length]).Enroll(Guid.NewGuid(), Guid.NewGuid()));
            });
        // Every event is checked, and the warm-up's enrollments are counted too: they go through the same pipeline.
        return await Checks.AfterLoadAsync(database, scenario, warmupEventIds.Union(eventIds).ToArray(), result);
    }

    public static RequestOutcome Classify(EnrollmentResult answer) => answer switch
    {
        { Outcome: EnrollmentOutcome.Enrolled, IsConfirmed: true } => RequestOutcome.Confirmed,
        { Outcome: EnrollmentOutcome.Enrolled, IsWaitlisted: true } => RequestOutcome.Waitlisted,
        _ => RequestOutcome.Unexpected,
    };
}
