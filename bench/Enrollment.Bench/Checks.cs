using System.Globalization;

namespace OrleansEnrollment.Bench;

/// <summary>What runs after every scenario's load: let the system finish its after-commit work, then check the rows.</summary>
public static class Checks
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Waits for the outbox and notifications of these events to catch up (so that work does not spill into the next
    /// scenario's figures), then checks every invariant and that each answered enrollment is in the database.
    /// </summary>
    /// <param name="capacityMayHaveBeenLowered">An admin lowered capacities during the load (that evicts nobody).</param>
    /// <param name="seeded">Enrollments inserted with SQL before the load, which the database holds too.</param>
    public static async Task<ScenarioRun> AfterLoadAsync(
        BenchDatabase database, string scenario, IReadOnlyCollection<Guid> eventIds, LoadResult result, bool hasOutbox = true,
        bool capacityMayHaveBeenLowered = false, long seeded = 0)
    {
        Console.WriteLine("  " + result.Describe());
        TimeSpan? settled = null;
        if (hasOutbox)
        {
            settled = await database.WaitUntilSettledAsync(eventIds, SettleTimeout);
            Console.WriteLine(settled is { } wait
                ? string.Create(CultureInfo.InvariantCulture, $"  {scenario}: outbox dispatched and notifications written {wait.TotalSeconds:F1} s after the last answer")
                : $"  {scenario}: the outbox had not caught up {SettleTimeout.TotalSeconds:F0} s after the last answer (the relay will finish it)");
        }

        var problems = await InvariantChecker.CheckAsync(
            database.DataSource, scenario, eventIds, seeded + result.WarmupEnrolled + result.Enrolled, capacityMayHaveBeenLowered);
        Console.WriteLine(problems.Count == 0
            ? $"  {scenario}: invariants hold on {eventIds.Count} event(s)"
            : $"  {scenario}: {problems.Count} invariant(s) broken");
        return new ScenarioRun(result, settled, result.Failed > 0 ? [.. problems, $"{scenario}: {result.Failed} request(s) failed"] : problems);
    }
}
