using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Bench;

/// <summary>Our system without HTTP: clients call the EventCapacity grains of a co-hosted silo directly.</summary>
public static class GrainScenarios
{
    /// <summary>Every client on one event, as the baseline: its grain decides them one at a time.</summary>
    public static async Task<ScenarioRun> HotAsync(BenchDatabase database, IGrainFactory grains, BenchOptions options)
    {
        var eventId = await database.CreateEventAsync("bench: hot event", options.Capacity);
        return await RunAsync(database, grains, options, BenchOptions.Hot, [eventId]);
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
        return await RunAsync(database, grains, options, BenchOptions.Spread, eventIds);
    }

    private static async Task<ScenarioRun> RunAsync(
        BenchDatabase database, IGrainFactory grains, BenchOptions options, string scenario, Guid[] eventIds)
    {
        // Round robin: consecutive requests, and so the ones in flight together, go to different events.
        var result = await LoadRunner.RunAsync(
            scenario, options.Clients, options.WarmupRequests, options.Requests, options.Duration,
            async number => Classify(await grains.GetGrain<IEventCapacityGrain>(eventIds[number % eventIds.Length]).Enroll(Guid.NewGuid(), Guid.NewGuid())));
        return await Checks.AfterLoadAsync(database, scenario, eventIds, result);
    }

    public static RequestOutcome Classify(EnrollmentResult answer) => answer switch
    {
        { Outcome: EnrollmentOutcome.Enrolled, IsConfirmed: true } => RequestOutcome.Confirmed,
        { Outcome: EnrollmentOutcome.Enrolled, IsWaitlisted: true } => RequestOutcome.Waitlisted,
        _ => RequestOutcome.Unexpected,
    };
}
