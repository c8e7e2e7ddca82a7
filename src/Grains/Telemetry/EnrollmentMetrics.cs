using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OrleansEnrollment.DomainEvents;

namespace OrleansEnrollment.Telemetry;

/// <summary>
/// The enrollment instruments of one host. Created from the host's <see cref="IMeterFactory"/> rather than a static
/// meter, so that several silos in one process (the tests' clusters) each report their own, and a listener can tell
/// them apart by <see cref="Meter.Scope"/>.
/// </summary>
public sealed class EnrollmentMetrics
{
    // Group sizes run from 1 to EventCapacityGrain.MaxGroupSize (256): powers of two show how full groups get.
    private static readonly int[] GroupSizeBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256];

    private static readonly double[] MillisecondBuckets = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

    private readonly Counter<long> decisions;
    private readonly Counter<long> refusals;
    private readonly Histogram<int> groupSize;
    private readonly Histogram<double> commitDuration;
    private readonly Histogram<double> outboxLag;
    private readonly ConcurrentDictionary<Guid, int> waitingByEvent = new();
    private readonly TimeProvider clock;

    public EnrollmentMetrics(IMeterFactory meters, TimeProvider clock)
    {
        this.clock = clock;
        Meter = meters.Create(EnrollmentTelemetry.Name);
        decisions = Meter.CreateCounter<long>(
            EnrollmentTelemetry.DecisionsCounter, "{decision}", "Enrollment requests answered, by outcome (confirmed, waitlisted, rejected, …)");
        refusals = Meter.CreateCounter<long>(
            EnrollmentTelemetry.CommitRefusalsCounter, "{commit}",
            "Commits the database refused, by reason (stale_state, rule_replay or the constraint): 0 while every event has one activation");
        groupSize = Meter.CreateHistogram(
            EnrollmentTelemetry.GroupCommitSizeHistogram, "{decision}", "Decisions written in one group commit",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = GroupSizeBuckets });
        commitDuration = Meter.CreateHistogram(
            EnrollmentTelemetry.GroupCommitDurationHistogram, "ms", "Time to commit one group of decisions to PostgreSQL",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MillisecondBuckets });
        outboxLag = Meter.CreateHistogram(
            EnrollmentTelemetry.OutboxLagHistogram, "ms", "From a domain event's decision to its publication on the bus",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MillisecondBuckets });
        // One number per silo, not one per event: per-event series would grow with the catalogue, and "how many
        // people wait" is the question an operator asks; an event's own count is on its admin page.
        Meter.CreateObservableGauge(
            EnrollmentTelemetry.WaitingGauge, () => waitingByEvent.Values.Sum(), "{enrollment}",
            "People on a waitlist, summed over the events whose grain is active in this silo");
    }

    public Meter Meter { get; }

    public void Decided(string outcome) => decisions.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Refused(string reason) => refusals.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void GroupCommitted(int decisionCount, TimeSpan duration, string result)
    {
        var tag = new KeyValuePair<string, object?>("result", result);
        groupSize.Record(decisionCount, tag);
        commitDuration.Record(duration.TotalMilliseconds, tag);
    }

    public void Published(EnrollmentEvent domainEvent) =>
        outboxLag.Record(Math.Max(0, (clock.GetUtcNow() - domainEvent.OccurredAt).TotalMilliseconds));

    /// <summary>An event's grain reports its waitlist length here; the gauge sums what the active grains reported.</summary>
    public void Waiting(Guid eventId, int count) => waitingByEvent[eventId] = count;

    /// <summary>The grain deactivated: its people are counted by whichever silo activates it next.</summary>
    public void Forget(Guid eventId) => waitingByEvent.TryRemove(eventId, out _);
}
