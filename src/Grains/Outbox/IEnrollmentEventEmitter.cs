using Orleans.Streams;
using OrleansEnrollment.DomainEvents;

namespace OrleansEnrollment.Outbox;

/// <summary>Hands committed domain events to an event's stream, in the order given. A seam for fault-injection tests.</summary>
public interface IEnrollmentEventEmitter
{
    Task EmitAsync(IAsyncStream<EnrollmentEvent> stream, IReadOnlyList<EnrollmentEvent> events);
}

public sealed class StreamEventEmitter : IEnrollmentEventEmitter
{
    // One stream batch per committed group: one call to the stream's queue and one delivery per subscriber for the
    // whole group instead of one per domain event. The batch keeps the order given, so per-event order still holds.
    public Task EmitAsync(IAsyncStream<EnrollmentEvent> stream, IReadOnlyList<EnrollmentEvent> events) => events.Count switch
    {
        0 => Task.CompletedTask,
        1 => stream.OnNextAsync(events[0]),
        _ => stream.OnNextBatchAsync(events),
    };
}
