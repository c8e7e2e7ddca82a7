using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using OrleansEnrollment.Bench;

// One run, one PostgreSQL: the original algorithm against our grains (hot, spread), the real HTTP API, and what an
// activation costs. Exits non-zero when a request failed or an invariant broke, so a fast but wrong run never passes.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (FormatException exception)
{
    Console.Error.WriteLine(exception.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var total = Stopwatch.StartNew();
using var logging = LoggerFactory.Create(builder => builder.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
var logger = logging.CreateLogger("OrleansEnrollment.Bench");

var runs = new Dictionary<string, ScenarioRun>();
var problems = new List<string>();
string? activationReport = null;
string? growthReport = null;

await using (var database = await BenchDatabase.OpenAsync(options.Connection, logger))
{
    Console.WriteLine($"Enrollment bench: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {database.Description}");
    Console.WriteLine(
        $"{options.Clients} clients; {(options.Duration is { } d ? $"{d.TotalSeconds:F0} s per scenario (at most " : "")}" +
        $"{options.RequestsFor(BenchOptions.Baseline)} timed requests for the baseline, {options.RequestsFor(BenchOptions.Hot)} ceiling and hot, " +
        $"{options.RequestsFor(BenchOptions.Spread)} spread, {options.RequestsFor(BenchOptions.Mixed)} mixed, {options.RequestsFor(BenchOptions.Http)} http{(options.Duration is null ? "" : ")")} " +
        $"after a warm-up ({options.WarmupRequestsFor(BenchOptions.Baseline)} baseline, {options.WarmupRequestsFor(BenchOptions.Hot)} ceiling and hot, " +
        $"{options.WarmupRequestsFor(BenchOptions.Spread)} spread, {options.WarmupRequestsFor(BenchOptions.Mixed)} mixed, {options.WarmupRequestsFor(BenchOptions.Http)} http); capacity {options.Capacity} with a waitlist; spread over {options.Events} events");

    if (options.Runs(BenchOptions.Baseline))
    {
        Console.WriteLine("baseline: the original algorithm on Npgsql, one hot event");
        Record(await BaselineScenario.RunAsync(database, options));
    }

    if (options.Runs(BenchOptions.Ceiling))
    {
        // Before the silo starts, so nothing else runs in this process meanwhile.
        Console.WriteLine("ceiling: our write set per enrollment straight on Npgsql (no grain, no bus) in the pipeline's batch shapes, one hot event");
        Record(await CeilingScenario.HotShapedAsync(database, options));
        if (options.Runs(BenchOptions.Spread))
        {
            Console.WriteLine($"{CeilingScenario.SpreadShaped}: the same over {options.Events} events round robin (spread's shape)");
            Record(await CeilingScenario.SpreadShapedAsync(database, options));
        }

        await VacuumAsync(database, "the ceiling");
    }

    if (options.Runs(BenchOptions.Hot) || options.Runs(BenchOptions.Spread) || options.Runs(BenchOptions.Mixed) || options.Runs(BenchOptions.Activation)
        || options.Runs(BenchOptions.OpenLoop) || options.Runs(BenchOptions.Growth))
    {
        // Stopped before the HTTP scenario, whose process runs a silo of its own on the same database.
        await using var silo = await CoHostedSilo.StartAsync(database.ConnectionString);
        if (options.SiloWarmup > TimeSpan.Zero)
        {
            Console.WriteLine($"silo warm-up: {options.SiloWarmup.TotalSeconds:F0} s of untimed enrollments, so tiered JIT settles before the first scenario");
            problems.AddRange(await SiloWarmup.RunAsync(database, silo.Grains, options));
            await VacuumAsync(database, "the silo warm-up");
        }

        if (options.Runs(BenchOptions.Hot))
        {
            Console.WriteLine("hot: EventCapacity grains in a co-hosted silo, one hot event");
            Record(await GrainScenarios.HotAsync(database, silo.Grains, options));
        }

        if (options.Runs(BenchOptions.Spread))
        {
            Console.WriteLine($"spread: EventCapacity grains in a co-hosted silo, {options.Events} events round robin");
            Record(await GrainScenarios.SpreadAsync(database, silo.Grains, options));
        }

        if (options.Runs(BenchOptions.Mixed))
        {
            Console.WriteLine("mixed: EventCapacity grains in a co-hosted silo, 3 small hot events (5, 12 without a waitlist, 25 seats); " +
                              "people enroll, cancel and read, an admin checks in, marks attendance and changes capacities");
            Record(await MixedScenario.RunAsync(database, silo.Grains, options));
        }

        if (options.Runs(BenchOptions.Activation))
        {
            Console.WriteLine("activation: memory and start-up of an event's grain over many enrollments");
            var figures = await ActivationProbe.MeasureAsync(database, silo.Grains, options.Capacity);
            activationReport = string.Join(Environment.NewLine,
                $"memory of an activated event with {ActivationProbe.MemoryEnrollments:N0} enrollments: {figures.BytesFor10K / 1024.0 / 1024.0:F2} MB " +
                $"({figures.BytesFor10K / (double)ActivationProbe.MemoryEnrollments:F0} bytes per enrollment, managed heap growth, median of 3)",
                $"activation of an event with {ActivationProbe.TimedEnrollments:N0} enrollments: {figures.ActivationOf100K.TotalMilliseconds:F0} ms " +
                $"(first GetSummary; inserting them with SQL took {figures.SeedOf100K.TotalMilliseconds:F0} ms)");
            Console.WriteLine("  " + activationReport.Replace(Environment.NewLine, Environment.NewLine + "  ", StringComparison.Ordinal));
            var broken = await InvariantChecker.CheckAsync(database.DataSource, BenchOptions.Activation, figures.EventIds, expectedEnrollments: null);
            problems.AddRange(broken);
        }

        if (options.Runs(BenchOptions.Growth))
        {
            Console.WriteLine($"growth: closed-loop enrollments against {string.Join(", ", GrowthScenario.OpenEvents)} open events, " +
                              $"then one event with a waitlist of {string.Join(", ", GrowthScenario.WaitlistLengths)}, through the co-hosted silo");
            var points = await GrowthScenario.RunAsync(database, silo.Grains, options);
            problems.AddRange(points.SelectMany(point => point.Run.Problems));
            growthReport = string.Join(Environment.NewLine, GrowthScenario.Table(points));
            Console.WriteLine(growthReport);
            await VacuumAsync(database, "the growth points");
        }

        if (options.Runs(BenchOptions.OpenLoop))
        {
            // Last in the silo: its events hold hundreds of thousands of enrollments, which would weigh on the activation
            // probe's heap measurement.
            var rate = options.OpenLoopRate ?? Rate(runs[BenchOptions.Ceiling]) / 2;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"openloop: Poisson arrivals at {rate:F0}/s ({(options.OpenLoopRate is null ? "half the ceiling" : "--open-loop-rate")}) " +
                $"for {options.OpenLoopDuration.TotalSeconds:F0} s through the co-hosted silo, one hot event, then {options.Events} events"));
            foreach (var run in await OpenLoopScenario.RunAsync(database, silo.Grains, options, rate))
            {
                Record(run);
            }

            await VacuumAsync(database, "the open loop");
        }
    }

    if (options.Runs(BenchOptions.Http))
    {
        Console.WriteLine("http: the real web frontend as a child process, bearer tokens, one hot event");
        Record(await HttpScenario.RunAsync(database, options));
    }
}

Console.WriteLine();
Console.WriteLine($"Summary ({Environment.ProcessorCount} cores, {options.Clients} clients, total run {total.Elapsed.TotalSeconds:F0} s):");
foreach (var run in runs.Values)
{
    Console.WriteLine("  " + run.Describe());
}

if (growthReport is not null)
{
    Console.WriteLine("growth:");
    Console.WriteLine(growthReport);
}

if (activationReport is not null)
{
    Console.WriteLine(activationReport);
}

foreach (var problem in problems)
{
    Console.WriteLine($"BROKEN: {problem}");
}

if (runs.TryGetValue(BenchOptions.Baseline, out var baseline))
{
    foreach (var scenario in new[] { BenchOptions.Hot, BenchOptions.Spread, BenchOptions.Mixed, BenchOptions.Http })
    {
        if (runs.TryGetValue(scenario, out var ours))
        {
            // throughput ratios (answers per second: operations for mixed, enrollments for the others), one decimal, the
            // same on every machine's culture
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture, $"ratio {scenario}/baseline: {ours.Result.PerSecond / baseline.Result.EnrollmentsPerSecond:F1}"));
        }
    }
}

if (runs.TryGetValue(BenchOptions.Mixed, out var mixed))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mixed p99: {mixed.Result.P99Ms:F0} ms"));
    Console.WriteLine($"mixed refusals: {mixed.Refusals}");
    if (runs.TryGetValue(BenchOptions.Hot, out var hot))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio mixed/hot: {mixed.Result.PerSecond / hot.Result.PerSecond:F2}"));
    }
}

if (runs.TryGetValue(BenchOptions.Ceiling, out var ceiling))
{
    // Rates until every row was written (outbox marks and notifications included), on both sides of each ratio.
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ceiling: {Rate(ceiling):F0} enrollments/s"));
    foreach (var scenario in new[] { BenchOptions.Hot, BenchOptions.Spread, BenchOptions.Mixed })
    {
        if (runs.TryGetValue(scenario, out var ours))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio {scenario}/ceiling: {Rate(ours) / Rate(ceiling):F2}"));
        }
    }

    if (runs.TryGetValue(CeilingScenario.SpreadShaped, out var spreadCeiling))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ceiling in spread's shape: {Rate(spreadCeiling):F0} enrollments/s"));
        if (runs.TryGetValue(BenchOptions.Spread, out var spread))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio spread/ceiling in spread's shape: {Rate(spread) / Rate(spreadCeiling):F2}"));
        }
    }
}

foreach (var (scenario, name) in new[] { (OpenLoopScenario.Hot, "hot"), (OpenLoopScenario.Spread, "spread") })
{
    if (runs.TryGetValue(scenario, out var open))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"open-loop p99 {name}: {open.Result.P99Ms:F0} ms"));
    }
}

return problems.Count == 0 ? 0 : 1;

// Enrollments (operations, for mixed) per second until their rows were all written; the answered rate if that wait timed out.
static double Rate(ScenarioRun run) => run.SustainedPerSecond ?? run.Result.PerSecond;

// After a scenario that is not one of the measured ones before issue 16 wrote many rows, so that the scenarios after it
// run on the database as they did without it.
static async Task VacuumAsync(BenchDatabase database, string after)
{
    var took = await database.VacuumAsync();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  vacuumed after {after} ({took.TotalSeconds:F1} s, untimed): its dead row versions are not left to the next scenario"));
}

void Record(ScenarioRun run)
{
    runs[run.Result.Scenario] = run;
    problems.AddRange(run.Problems);
}
