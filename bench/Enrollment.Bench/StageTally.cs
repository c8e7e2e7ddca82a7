using System.Diagnostics;
using System.Globalization;

namespace OrleansEnrollment.Bench;

/// <summary>
/// What one stage of the ceiling's write path did: its transactions (or statements), the rows they carried, and the
/// wall time they took from the client's side (round trip, server work, WAL flush). Thread-safe.
/// </summary>
public sealed class StageTally(string name)
{
    private long transactions;
    private long rows;
    private long busyTicks;
    private long failures;

    public string? FirstFailure { get; private set; }

    public long Failures => Interlocked.Read(ref failures);

    /// <param name="started">A <see cref="Stopwatch.GetTimestamp"/> taken before the transaction began.</param>
    public void Done(int rowCount, long started)
    {
        var ticks = Stopwatch.GetTimestamp() - started;
        Interlocked.Increment(ref transactions);
        Interlocked.Add(ref rows, rowCount);
        Interlocked.Add(ref busyTicks, ticks);
    }

    public void Failed(Exception exception)
    {
        if (Interlocked.Increment(ref failures) == 1)
        {
            FirstFailure = $"{name}: {exception.GetType().Name}: {exception.Message}";
        }
    }

    /// <summary>One line: how many, how big, how long each took, and the stage's busy time per enrollment.</summary>
    public string Describe(long enrollments)
    {
        var count = Interlocked.Read(ref transactions);
        var busy = TimeSpan.FromSeconds(Interlocked.Read(ref busyTicks) / (double)Stopwatch.Frequency);
        return count == 0
            ? $"{name}: none"
            : string.Create(
                CultureInfo.InvariantCulture,
                $"{name}: {count} transactions of {Interlocked.Read(ref rows) / (double)count:F1} on average, {busy.TotalMilliseconds / count:F2} ms each; " +
                $"{busy.TotalSeconds:F2} s busy in all, {busy.TotalMilliseconds * 1000 / Math.Max(1, enrollments):F0} µs per enrollment");
    }
}
