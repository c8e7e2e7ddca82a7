using Orleans.Streams;
using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Outbox;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>The real emitter, failing or held on demand: the process "dies" between a commit and its emit, or an emit is slow.</summary>
public sealed class FaultyEventEmitter : IEnrollmentEventEmitter
{
    private readonly StreamEventEmitter inner = new();

    public volatile bool Failing;

    public int FailedEmits;

    /// <summary>While set, emits wait for it.</summary>
    public TaskCompletionSource? Hold { get; set; }

    /// <summary>Emits that have started (and may be held).</summary>
    public int EmitsStarted;

    public async Task EmitAsync(IAsyncStream<EnrollmentEvent> stream, IReadOnlyList<EnrollmentEvent> events)
    {
        Interlocked.Increment(ref EmitsStarted);
        if (Hold is { } hold)
        {
            await hold.Task;
        }

        if (Failing)
        {
            Interlocked.Increment(ref FailedEmits);
            throw new InvalidOperationException("injected: the stream is unreachable");
        }

        await inner.EmitAsync(stream, events);
    }
}
