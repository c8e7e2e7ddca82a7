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

    /// <summary>How many domain events a grain re-emits per read of the outbox.</summary>
    public int RedispatchPageSize { get; set; } = 500;
}
