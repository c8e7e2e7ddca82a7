using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Outbox;
using Orleans.Streams;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>The real emitter, failing on demand: the process "dies" between a commit and its emit.</summary>
public sealed class FaultyEventEmitter : IEnrollmentEventEmitter
{
    private readonly StreamEventEmitter inner = new();

    public volatile bool Failing;

    public int FailedEmits;

    public Task EmitAsync(IAsyncStream<EnrollmentEvent> stream, IReadOnlyList<EnrollmentEvent> events)
    {
        if (Failing)
        {
            Interlocked.Increment(ref FailedEmits);
            throw new InvalidOperationException("injected: the stream is unreachable");
        }

        return inner.EmitAsync(stream, events);
    }
}
