using System.Diagnostics;
using HdrHistogram;

namespace OrleansEnrollment.Bench;

/// <summary>
/// Drives one scenario: <c>clients</c> concurrent loops, each sending its next request as soon as its previous one is
/// answered (a closed loop, like users waiting for the page). Requests are numbered across warm-up and timing, so
/// a scenario can give every number its own user.
/// </summary>
public static class LoadRunner
{
    // Latencies are recorded in microseconds, up to ten minutes, to three significant digits.
    private const long HighestLatencyMicroseconds = 10L * 60 * 1_000_000;

    public static Task<LoadResult> RunAsync(
        string scenario, int clients, int warmup, long maxRequests, TimeSpan? duration, Func<long, Task<RequestOutcome>> send) =>
        RunAsync(scenario, clients, warmup, maxRequests, duration, (_, number) => send(number));

    /// <param name="send">Given the client (0 to clients − 1, each sending one request at a time) and the request's number.</param>
    public static async Task<LoadResult> RunAsync(
        string scenario, int clients, int warmup, long maxRequests, TimeSpan? duration, Func<int, long, Task<RequestOutcome>> send)
    {
        var warmupTally = new Tally();
        await DriveAsync(clients, first: 0, end: warmup, deadline: null, send, warmupTally, latency: null);
        if (warmupTally.Failed > 0)
        {
            Console.WriteLine($"  {scenario}: {warmupTally.Failed} warm-up request(s) failed, first: {warmupTally.FirstFailure}");
        }

        var latency = new LongConcurrentHistogram(1, HighestLatencyMicroseconds, 3);
        var tally = new Tally();
        var started = Stopwatch.GetTimestamp();
        long? deadline = duration is { } limit ? started + (long)(limit.TotalSeconds * Stopwatch.Frequency) : null;
        await DriveAsync(clients, first: warmup, end: warmup + maxRequests, deadline, send, tally, latency);
        var elapsed = Stopwatch.GetElapsedTime(started);

        if (tally.Failed > 0)
        {
            Console.WriteLine($"  {scenario}: {tally.Failed} timed request(s) failed, first: {tally.FirstFailure}");
        }

        return new LoadResult(
            scenario, tally.Confirmed + tally.Waitlisted, tally.Confirmed, tally.Waitlisted, tally.Failed + warmupTally.Failed, elapsed, latency)
        {
            WarmupEnrolled = warmupTally.Confirmed + warmupTally.Waitlisted,
            Answered = tally.Answered,
        };
    }

    private static async Task DriveAsync(
        int clients, long first, long end, long? deadline, Func<int, long, Task<RequestOutcome>> send, Tally tally, HistogramBase? latency)
    {
        var next = first;
        var loops = new Task[clients];
        for (var client = 0; client < clients; client++)
        {
            var self = client;
            loops[client] = Task.Run(async () =>
            {
                while (deadline is null || Stopwatch.GetTimestamp() < deadline)
                {
                    var number = Interlocked.Increment(ref next) - 1;
                    if (number >= end)
                    {
                        return;
                    }

                    var sent = Stopwatch.GetTimestamp();
                    try
                    {
                        tally.Count(await send(self, number));
                    }
                    catch (Exception exception)
                    {
                        // A failed request is counted and reported, and the load goes on: one bad answer should not
                        // hide the figures of the other thousands.
                        tally.Fail(exception);
                    }

                    // clamped: a value beyond the histogram's range would throw and end this client
                    latency?.RecordValue(Math.Clamp((long)Stopwatch.GetElapsedTime(sent).TotalMicroseconds, 1, HighestLatencyMicroseconds));
                }
            });
        }

        await Task.WhenAll(loops);
    }

    private sealed class Tally
    {
        private long confirmed;
        private long waitlisted;
        private long answered;
        private long failed;

        public long Confirmed => Interlocked.Read(ref confirmed);

        public long Waitlisted => Interlocked.Read(ref waitlisted);

        public long Answered => Interlocked.Read(ref answered);

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
                case RequestOutcome.Answered:
                    Interlocked.Increment(ref answered);
                    break;
                default:
                    Record("an answer other than a new enrollment");
                    break;
            }
        }

        public void Fail(Exception exception) => Record($"{exception.GetType().Name}: {exception.Message}");

        private void Record(string what)
        {
            if (Interlocked.Increment(ref failed) == 1)
            {
                FirstFailure = what;
            }
        }
    }
}
