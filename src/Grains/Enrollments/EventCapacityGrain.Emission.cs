using Microsoft.Extensions.Logging;
using OrleansEnrollment.DomainEvents;

namespace OrleansEnrollment.Enrollments;

/// <summary>
/// After a commit, its domain events (already in the outbox, same transaction) go out on the event's stream. This grain
/// is their only emitter and emits under one lock, so they leave in commit order: once an emit fails, later events wait
/// until the outbox has been re-emitted from the database.
/// </summary>
public sealed partial class EventCapacityGrain
{
    private readonly SemaphoreSlim emitting = new(1, 1);

    // Set when a domain event may be in the outbox but not on the stream: every emit then goes through the outbox.
    private bool mustReemitFromOutbox;

    /// <summary>Emits freshly committed domain events, unless older ones still wait in the outbox: then all go in order from there.</summary>
    private async Task EmitAsync(IReadOnlyList<EnrollmentEvent> committed)
    {
        if (committed.Count == 0 && !mustReemitFromOutbox)
        {
            return;
        }

        await emitting.WaitAsync();
        try
        {
            await EmitInOrderAsync(committed);
        }
        finally
        {
            emitting.Release();
        }
    }

    private async Task EmitInOrderAsync(IReadOnlyList<EnrollmentEvent> committed)
    {
        if (mustReemitFromOutbox)
        {
            await ReemitPagesAsync();
            return;
        }

        try
        {
            await emitter.EmitAsync(stream, committed);
        }
        catch (Exception exception)
        {
            // Committed and answered, so the caller is not failed over this: the outbox keeps the event and the
            // relay has it emitted again.
            mustReemitFromOutbox = true;
            LogEmitFailed(exception, EventId);
        }
    }

    private async Task ReemitFromOutboxAsync()
    {
        await emitting.WaitAsync();
        try
        {
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
            var pageSize = outboxOptions.Value.RedispatchPageSize;
            long after = 0;
            while (true)
            {
                var pending = await outbox.LoadUndispatchedAsync(EventId, after, pageSize);
                await emitter.EmitAsync(stream, pending);
                if (pending.Count < pageSize)
                {
                    break;
                }

                after = pending[^1].Sequence;
            }

            mustReemitFromOutbox = false;
        }
        catch (Exception exception)
        {
            LogEmitFailed(exception, EventId);
        }
    }
    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: emitting domain events failed; they stay in the outbox for the relay")]
    private partial void LogEmitFailed(Exception exception, Guid eventId);
}
