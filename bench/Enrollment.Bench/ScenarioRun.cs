using System.Globalization;

namespace OrleansEnrollment.Bench;

/// <summary>A scenario's figures, how long its after-commit work ran on, and the invariants it broke (none, when all is well).</summary>
/// <param name="Settled">
/// How long after the last answer the outbox was dispatched and every notification written; null when the scenario
/// has no such work (the baseline) or it did not finish in time.
/// </param>
public sealed record ScenarioRun(LoadResult Result, TimeSpan? Settled, IReadOnlyList<string> Problems)
{
    /// <summary>Commits the database refused during the scenario (the silo's <c>enrollment.commit.refusals</c>), where counted.</summary>
    public long? Refusals { get; init; }

    /// <summary>
    /// Requests per second until all their work was done, domain events and notifications included: the rate the
    /// system can keep up, where <see cref="LoadResult.PerSecond"/> is the rate callers got answers.
    /// </summary>
    public double? SustainedPerSecond => Settled is { } settled ? (Result.Enrolled + Result.Answered) / (Result.Elapsed + settled).TotalSeconds : null;

    public string Describe() => Result.Describe() + (SustainedPerSecond is { } sustained
        ? string.Create(CultureInfo.InvariantCulture, $"; {sustained:F0}/s with the outbox and notifications done ({Settled!.Value.TotalSeconds:F1} s later)")
        : "");
}
