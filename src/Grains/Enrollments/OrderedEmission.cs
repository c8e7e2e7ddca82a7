using Microsoft.Extensions.Logging;
using Orleans.Streams;
using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Outbox;

namespace OrleansEnrollment.Enrollments;

/// <summary>
/// Sends an event's committed domain events (already in the outbox, same transaction) to its stream, in commit order.
/// Its grain is the only emitter and emits under one lock; once an emit fails or a commit's outcome was unknown, later
/// events wait until the outbox has been emitted again from the database, oldest first.
/// </summary>
public sealed partial class OrderedEmission(
    Guid eventId, IAsyncStream<EnrollmentEvent> stream, IEnrollmentEventEmitter emitter, OutboxStore outbox, int pageSize, ILogger logger)
{
    private readonly SemaphoreSlim emitting = new(1, 1);

    // Set when a domain event may be in the outbox but not on the stream: every emit then goes through the outbox.
    private bool mustReemitFromOutbox;

    public void MayHaveUnemittedEvents() => mustReemitFromOutbox = true;

    /// <summary>Emits freshly committed domain events, unless older ones still wait in the outbox: then all go in order from there.</summary>
    public async Task EmitCommittedAsync(IReadOnlyList<EnrollmentEvent> committed)
    {
        if (committed.Count == 0 && !mustReemitFromOutbox)
        {
            return;
        }

        await emitting.WaitAsync();
        try
        {
            if (mustReemitFromOutbox)
            {
                await ReemitPagesAsync();
                return;
            }

            await emitter.EmitAsync(stream, committed);
        }
        catch (Exception exception)
        {
            // Committed and answered, so no caller is failed over this: the outbox keeps the events and the relay has
            // them emitted again.
            mustReemitFromOutbox = true;
            LogEmitFailed(exception, eventId);
        }
        finally
        {
            emitting.Release();
        }
    }

    /// <summary>Emits again, oldest first, every domain event of the event that the bus has not confirmed.</summary>
    public async Task ReemitFromOutboxAsync()
    {
        await emitting.WaitAsync();
        try
        {
            mustReemitFromOutbox = true;
            await ReemitPagesAsync();
        }
        finally
        {
            emitting.Release();
        }
    }

    private async Task ReemitPagesAsync()
    {
        try
        {
            long after = 0;
            while (true)
            {
                var page = await outbox.LoadUndispatchedAsync(eventId, after, pageSize);
                await emitter.EmitAsync(stream, page);
                if (page.Count < pageSize)
                {
                    break;
                }

                after = page[^1].Sequence;
            }

            mustReemitFromOutbox = false;
        }
        catch (Exception exception)
        {
            LogEmitFailed(exception, eventId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: emitting domain events failed; they stay in the outbox for the relay")]
    private partial void LogEmitFailed(Exception exception, Guid eventId);
}
