namespace OrleansEnrollment.Outbox;

/// <summary>Timing of the outbox relay (configuration section <c>Outbox</c>).</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>How often each silo's relay looks for domain events the bus has not confirmed.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a committed domain event may wait for the bus before the relay has it emitted again. Long enough
    /// that a busy bridge is not flooded with duplicates; consumers de-duplicate whatever arrives twice.
    /// </summary>
    public TimeSpan RedeliverAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often each silo looks for dispatched domain events that their consumer never recorded.</summary>
    public TimeSpan ConsumptionCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long after its commit (and after its last release) a dispatched domain event must be in its consumer's inbox
    /// before it is emitted again. Past the normal dispatch and consume time with room to spare; a redelivery racing a
    /// slow consume is dropped by the inbox anyway.
    /// </summary>
    public TimeSpan ConsumedWithin { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How far back (by commit time) the check looks. Bounds each pass to recent rows however long the outbox is, and
    /// bounds how long a message no consumer can take keeps being emitted again.
    /// </summary>
    public TimeSpan ConsumptionWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many domain events a grain re-emits per read of the outbox.</summary>
    public int RedispatchPageSize { get; set; } = 500;
}
