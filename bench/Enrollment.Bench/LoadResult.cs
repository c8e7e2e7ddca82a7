using System.Globalization;
using HdrHistogram;

namespace OrleansEnrollment.Bench;

/// <summary>The timed part of one scenario: how many enrollments landed, how fast, and the latency of each request.</summary>
public sealed record LoadResult(
    string Scenario, long Enrolled, long Confirmed, long Waitlisted, long Failed, TimeSpan Elapsed, HistogramBase Latency)
{
    /// <summary>Enrollments made by the untimed warm-up: in the database too, so the checks expect them.</summary>
    public long WarmupEnrolled { get; init; }

    /// <summary>Timed requests answered with something other than a new enrollment that the domain allows (mixed scenario).</summary>
    public long Answered { get; init; }

    public double EnrollmentsPerSecond => Enrolled / Elapsed.TotalSeconds;

    /// <summary>Every request answered, whatever it asked: the mixed scenario's throughput.</summary>
    public double OperationsPerSecond => (Enrolled + Answered) / Elapsed.TotalSeconds;

    /// <summary>Requests per second as the scenario counts them: operations for the mixed one, enrollments for the others.</summary>
    public double PerSecond => Answered > 0 ? OperationsPerSecond : EnrollmentsPerSecond;

    public double P50Ms => Milliseconds(50);

    public double P99Ms => Milliseconds(99);

    public double P999Ms => Milliseconds(99.9);

    public double MaxMs => Latency.TotalCount == 0 ? 0 : Latency.GetMaxValue() / 1000.0;

    public string Describe() => Answered > 0
        ? string.Create(
            CultureInfo.InvariantCulture,
            $"{Scenario,-15} {OperationsPerSecond,8:F0} operations/s    p50 {P50Ms,7:F1} ms   p99 {P99Ms,7:F1} ms   p99.9 {P999Ms,7:F1} ms   " +
            $"(max {MaxMs:F1} ms; {Enrolled + Answered} answered: {Confirmed} confirmed, {Waitlisted} waitlisted, {Answered} other answers, {Failed} failed, in {Elapsed.TotalSeconds:F1} s)")
        : string.Create(
            CultureInfo.InvariantCulture,
            $"{Scenario,-15} {EnrollmentsPerSecond,8:F0} enrollments/s   p50 {P50Ms,7:F1} ms   p99 {P99Ms,7:F1} ms   p99.9 {P999Ms,7:F1} ms   " +
            $"(max {MaxMs:F1} ms; {Enrolled} enrolled: {Confirmed} confirmed, {Waitlisted} waitlisted, {Failed} failed, in {Elapsed.TotalSeconds:F1} s)");

    // The histogram holds microseconds.
    private double Milliseconds(double percentile) =>
        Latency.TotalCount == 0 ? 0 : Latency.GetValueAtPercentile(percentile) / 1000.0;
}
