using OrleansEnrollment.DomainEvents;
using Orleans.Streams;

namespace OrleansEnrollment.Outbox;

/// <summary>Hands committed domain events to an event's stream, in the order given. A seam for fault-injection tests.</summary>
public interface IEnrollmentEventEmitter
{
    Task EmitAsync(IAsyncStream<EnrollmentEvent> stream, IReadOnlyList<EnrollmentEvent> events);
}

public sealed class StreamEventEmitter : IEnrollmentEventEmitter
{
    public async Task EmitAsync(IAsyncStream<EnrollmentEvent> stream, IReadOnlyList<EnrollmentEvent> events)
    {
        foreach (var domainEvent in events)
        {
            await stream.OnNextAsync(domainEvent);
        }
    }
}
