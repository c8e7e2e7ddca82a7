using System.Diagnostics;
using HdrHistogram;

namespace OrleansEnrollment.Bench;

/// <summary>What an open-loop run offered and what it got.</summary>
/// <param name="Offered">Arrivals scheduled (and sent) within the window.</param>
/// <param name="Sending">From the start until the last arrival was sent: about the window, unless sending fell behind.</param>
/// <param name="Answering">From the start until the last answer came back.</param>
/// <param name="MostBehind">How far behind its scheduled time the latest-sent arrival went out.</param>
/// <param name="Latency">From each arrival's scheduled time to its answer, in microseconds.</param>
public sealed record OpenLoopResult(
    long Offered, TimeSpan Sending, TimeSpan Answering, TimeSpan MostBehind, long Confirmed, long Waitlisted, long Failed, string? FirstFailure,
    HistogramBase Latency)
{
    public double AchievedArrivalsPerSecond => Offered / Sending.TotalSeconds;
}

/// <summary>
/// Offers requests at Poisson arrivals (exponential gaps drawn from a seeded generator, so runs offer the same times)
/// for a fixed window, each sent at its time whatever is still unanswered: an open loop, like independent users, unlike
/// <see cref="LoadRunner"/>'s clients that wait for their answer. Latency is measured from the scheduled arrival, not
/// from the send, so a late send (the sender or the machine falling behind) counts as the queueing it is, and a slow
/// system cannot thin out its own load (no coordinated omission).
/// </summary>
public static class OpenLoopRunner
{
    private const long HighestLatencyMicroseconds = 10L * 60 * 1_000_000;

    /// <param name="firstNumber">The number of the first arrival; each arrival's number is passed to <paramref name="send"/>.</param>
    public static async Task<OpenLoopResult> RunAsync(
        double perSecond, TimeSpan window, int seed, long firstNumber, Func<long, Task<RequestOutcome>> send)
    {
        var latency = new LongConcurrentHistogram(1, HighestLatencyMicroseconds, 3);
        var tally = new OpenLoopTally();
        var answers = new List<Task>();
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(window.TotalSeconds * Stopwatch.Frequency);
        var mostBehind = 0L;
        long lastSent = start;

        // A thread of its own: it sleeps between arrivals instead of holding a pool thread, and nothing queues in
        // front of it. Sleep(1) wakes about every millisecond on Linux, so an arrival goes out up to ~1 ms after its
        // time; that delay is counted in its latency (measured from the schedule), never hidden.
        await Task.Factory.StartNew(() =>
        {
            var random = new Random(seed);
            var offset = 0.0;
            for (var number = firstNumber; ; number++)
            {
                // 1 − U lies in (0, 1], so the logarithm is finite
                offset += -Math.Log(1.0 - random.NextDouble()) / perSecond;
                var scheduled = start + (long)(offset * Stopwatch.Frequency);
                if (scheduled >= end)
                {
                    return;
                }

                while (Stopwatch.GetTimestamp() < scheduled)
                {
                    Thread.Sleep(1);
                }

                lastSent = Stopwatch.GetTimestamp();
                mostBehind = Math.Max(mostBehind, lastSent - scheduled);
                answers.Add(AnswerAsync(number, scheduled));
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var sending = Stopwatch.GetElapsedTime(start, lastSent);
        // Every call ends: answered, failed, or timed out by Orleans (the silo's response timeout).
        await Task.WhenAll(answers);
        var answering = Stopwatch.GetElapsedTime(start);
        return new OpenLoopResult(
            answers.Count, sending, answering, TimeSpan.FromSeconds(mostBehind / (double)Stopwatch.Frequency), tally.Confirmed, tally.Waitlisted,
            tally.Failed, tally.FirstFailure, latency);

        async Task AnswerAsync(long number, long scheduled)
        {
            try
            {
                tally.Count(await send(number));
            }
            catch (Exception exception)
            {
                tally.Fail($"{exception.GetType().Name}: {exception.Message}");
            }

            latency.RecordValue(Math.Clamp((long)Stopwatch.GetElapsedTime(scheduled).TotalMicroseconds, 1, HighestLatencyMicroseconds));
        }
    }

    private sealed class OpenLoopTally
    {
        private long confirmed;
        private long waitlisted;
        private long failed;

        public long Confirmed => Interlocked.Read(ref confirmed);

        public long Waitlisted => Interlocked.Read(ref waitlisted);

        public long Failed => Interlocked.Read(ref failed);

        public string? FirstFailure { get; private set; }

        public void Count(RequestOutcome outcome)
        {
            switch (outcome)
            {
                case RequestOutcome.Confirmed:
                    Interlocked.Increment(ref confirmed);
                    break;
                case RequestOutcome.Waitlisted:
                    Interlocked.Increment(ref waitlisted);
                    break;
                default:
                    Fail("an answer other than a new enrollment");
                    break;
            }
        }

        public void Fail(string what)
        {
            if (Interlocked.Increment(ref failed) == 1)
            {
                FirstFailure = what;
            }
        }
    }
}
