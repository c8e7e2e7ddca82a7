namespace OrleansEnrollment.Bench;

/// <summary>
/// The database's ceiling for our write set: every row our pipeline writes per enrollment, in the batch shapes it
/// writes them (<see cref="CeilingWriter"/>), straight on Npgsql, under the same closed-loop clients as hot. Its rate
/// is what the grains and the bus could reach at best on this machine and this database.
/// </summary>
public static class CeilingScenario
{
    /// <summary>The name of the spread-shaped ceiling's result, run only when spread runs too.</summary>
    public const string SpreadShaped = "ceiling-spread";

    /// <summary>Every client on one event, as hot: its groups are as large as the requests waiting during a commit.</summary>
    public static async Task<ScenarioRun> HotShapedAsync(BenchDatabase database, BenchOptions options)
    {
        // The warm-up has an event of its own, as hot's, so the timed event starts empty.
        var warmupEvent = await database.CreateEventAsync("bench: ceiling warm-up event", options.Capacity);
        var timedEvent = await database.CreateEventAsync("bench: ceiling event", options.Capacity);
        return await RunAsync(database, options, BenchOptions.Ceiling, [warmupEvent], [timedEvent]);
    }

    /// <summary>
    /// The same clients round robin over as many events as spread: groups of one, and several events per transaction.
    /// Warmed up on the same events, as spread.
    /// </summary>
    public static async Task<ScenarioRun> SpreadShapedAsync(BenchDatabase database, BenchOptions options)
    {
        var eventIds = new Guid[options.Events];
        await Parallel.ForAsync(0, options.Events, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (index, _) =>
            eventIds[index] = await database.CreateEventAsync($"bench: ceiling spread event {index + 1}", options.Capacity));
        return await RunAsync(database, options, SpreadShaped, eventIds, eventIds);
    }

    private static async Task<ScenarioRun> RunAsync(
        BenchDatabase database, BenchOptions options, string scenario, Guid[] warmupEventIds, Guid[] timedEventIds)
    {
        // Requests and warm-up as the scenario whose shape this is.
        var shape = scenario == SpreadShaped ? BenchOptions.Spread : BenchOptions.Hot;
        var warmup = options.WarmupRequestsFor(shape);
        var writer = new CeilingWriter(database.ConnectionString);
        ScenarioRun run;
        try
        {
            var warmupEvents = await LoadAsync(writer, warmupEventIds);
            var timedEvents = timedEventIds == warmupEventIds ? warmupEvents : await LoadAsync(writer, timedEventIds);
            var result = await LoadRunner.RunAsync(
                scenario, options.Clients, warmup, options.RequestsFor(shape), options.Duration,
                number =>
                {
                    var events = number < warmup ? warmupEvents : timedEvents;
                    return writer.EnrollAsync(events[number % events.Length], Guid.NewGuid());
                });
            run = await Checks.AfterLoadAsync(database, scenario, warmupEventIds.Union(timedEventIds).ToArray(), result);
        }
        finally
        {
            // writes whatever marks and notifications are still queued before the next scenario starts
            await writer.DisposeAsync();
        }

        var enrollments = run.Result.WarmupEnrolled + run.Result.Enrolled;
        Console.WriteLine($"  {scenario}, warm-up included ({enrollments} enrollments):");
        var problems = run.Problems.ToList();
        foreach (var stage in new[] { writer.Commits, writer.Marks, writer.Notifications })
        {
            Console.WriteLine("    " + stage.Describe(enrollments));
            if (stage.FirstFailure is { } failure)
            {
                problems.Add($"{scenario}: {stage.Failures} failure(s), first: {failure}");
            }
        }

        if (writer.Mails > 0)
        {
            problems.Add($"{scenario}: {writer.Mails} mail(s) were due, and the ceiling does not write mails");
        }

        return run with { Problems = problems };
    }

    private static async Task<CeilingEvent[]> LoadAsync(CeilingWriter writer, Guid[] eventIds)
    {
        var events = eventIds.Select(id => new CeilingEvent(id)).ToArray();
        foreach (var evt in events)
        {
            await evt.LoadAsync(writer.DataSource);
        }

        return events;
    }
}
