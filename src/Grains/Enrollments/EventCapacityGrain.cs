using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Outbox;
using Orleans.Streams;

namespace OrleansEnrollment.Enrollments;

/// <summary>
/// Decides every enrollment of one event. Orleans runs one call at a time here (the grain is not reentrant),
/// so decisions are taken in arrival order against the in-memory state, and each is committed before its
/// caller hears the answer. The database re-checks every commit under the event's row lock: when it disagrees
/// (a second activation, stale state), nothing is written, and this grain decides again on the database's
/// state while holding that lock, so the second answer is the database's own.
/// After each commit the decision's domain events (already in the outbox, same transaction) are emitted on the
/// event's stream. This grain is their only emitter, so they leave in commit order: once an emit fails, later
/// events wait until the outbox has been re-emitted from the database.
/// </summary>
public sealed partial class EventCapacityGrain(
    IEnrollmentStore store,
    OutboxStore outbox,
    IEnrollmentEventEmitter emitter,
    IOptions<OutboxOptions> outboxOptions,
    TimeProvider clock,
    ILogger<EventCapacityGrain> logger)
    : Grain, IEventCapacityGrain
{
    private EventCapacityState? state;
    private IAsyncStream<EnrollmentEvent> stream = null!;

    // Set when a domain event may be in the outbox but not on the stream: every emit then goes through the outbox.
    private bool mustReemitFromOutbox;

    private Guid EventId => this.GetPrimaryKey();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        stream = this.GetStreamProvider(EnrollmentStreams.ProviderName)
            .GetStream<EnrollmentEvent>(StreamId.Create(EnrollmentStreams.Namespace, EventId));
        state = await store.LoadAsync(EventId, cancellationToken);
        // A previous activation may have died between a commit and its emit.
        mustReemitFromOutbox = state is not null && (await outbox.LoadUndispatchedAsync(EventId, 0, 1, cancellationToken)).Count > 0;
    }

    public async Task<EnrollmentResult> Enroll(Guid userId, Guid requestId)
    {
        var request = new EnrollmentRequest(userId, requestId, clock.GetUtcNow());
        var current = await LoadedStateAsync();
        if (current is null)
        {
            return EnrollmentResult.EventNotFound;
        }

        var decision = current.Decide(request);
        if (decision is not EnrollmentDecision.Admit admit)
        {
            return ToResult(decision);
        }

        switch (await CommitAsync(current, admit))
        {
            case CommitResult.Committed committed:
                // after an ambiguous failure the state was reloaded and already holds this enrollment
                if (ReferenceEquals(state, current))
                {
                    current.Apply(admit);
                    current.MarkCommitted(committed.Version);
                }

                await EmitAsync([admit.Event]);
                return ToResult(decision);
            case CommitResult.Conflict conflict:
                LogConflict(EventId, conflict.Reason);
                return await DecideAgainUnderLockAsync(request);
            default:
                throw new InvalidOperationException("Unknown commit result.");
        }
    }

    public async Task<Enrollment?> GetEnrollment(Guid userId) => (await LoadedStateAsync())?.FindLive(userId);

    public async Task<EventCapacitySummary?> GetSummary() => (await LoadedStateAsync())?.ToSummary();

    public async Task<EventCapacitySummary?> ChangePolicy(EnrollmentPolicy policy)
    {
        if (!await store.ChangePolicyAsync(EventId, policy))
        {
            return null;
        }

        // Re-read rather than patch: the new version and counters come from the same row the change locked.
        state = null;
        return (await LoadedStateAsync())?.ToSummary();
    }

    public async Task DispatchPendingEvents()
    {
        mustReemitFromOutbox = true;
        await ReemitFromOutboxAsync();
    }

    /// <summary>Emits freshly committed domain events, unless older ones still wait in the outbox: then all go in order from there.</summary>
    private async Task EmitAsync(IReadOnlyList<EnrollmentEvent> committed)
    {
        if (mustReemitFromOutbox)
        {
            await ReemitFromOutboxAsync();
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

    private static EnrollmentResult ToResult(EnrollmentDecision decision) => decision switch
    {
        EnrollmentDecision.Admit admit => EnrollmentResult.Enrolled(admit.Enrollment),
        EnrollmentDecision.Existing existing => EnrollmentResult.AlreadyEnrolled(existing.Enrollment),
        EnrollmentDecision.Rejected => EnrollmentResult.EventFull,
        _ => throw new InvalidOperationException($"Unknown decision {decision}."),
    };

    private async Task<EnrollmentResult> DecideAgainUnderLockAsync(EnrollmentRequest request)
    {
        state = null;
        EnrollmentDecision? decision = null;
        var (fresh, result) = await store.DecideUnderLockAsync(EventId, locked =>
        {
            decision = locked.Decide(request);
            if (decision is not EnrollmentDecision.Admit admit)
            {
                return [];
            }

            locked.Apply(admit);
            return [admit];
        });

        if (decision is EnrollmentDecision.Admit committed && result is CommitResult.Committed)
        {
            await EmitAsync([committed.Event]);
        }

        if (result is CommitResult.Conflict conflict)
        {
            // Only the constraints themselves can refuse a decision taken under the lock: a bug, not a race.
            LogConflict(EventId, conflict.Reason);
            throw new EnrollmentUnavailableException(
                $"The database refused the enrollment decision for event {EventId}; nothing was written. {conflict.Reason}", nothingWritten: true);
        }

        state = fresh;
        return fresh is null || decision is null ? EnrollmentResult.EventNotFound : ToResult(decision);
    }

    private async Task<EventCapacityState?> LoadedStateAsync()
    {
        if (state is null)
        {
            state = await store.LoadAsync(EventId);
            if (state is null)
            {
                // Unknown event: keep nothing in memory, and ask the database again next time.
                DeactivateOnIdle();
            }
        }

        return state;
    }

    private async Task<CommitResult> CommitAsync(EventCapacityState current, EnrollmentDecision.Admit admit)
    {
        try
        {
            return await store.CommitAsync(current.EventId, current.Version, [admit]);
        }
        catch (Exception exception)
        {
            // The commit may or may not have landed (a lost acknowledgement looks like a failure). Reading the
            // database back is the only honest answer: if our row is there, the caller is enrolled.
            state = null;
            LogCommitFailed(exception, EventId);
            EventCapacityState? reloaded;
            try
            {
                reloaded = await LoadedStateAsync();
            }
            catch (Exception reloadException)
            {
                throw new EnrollmentUnavailableException(
                    $"The enrollment store is unavailable ({exception.Message}); whether the enrollment landed is unknown, and enrolling again is safe.",
                    nothingWritten: false, reloadException);
            }

            if (reloaded?.FindLive(admit.Enrollment.UserId)?.Id == admit.Enrollment.Id)
            {
                return new CommitResult.Committed(reloaded.Version);
            }

            throw new EnrollmentUnavailableException(
                $"The enrollment store is unavailable ({exception.Message}); the enrollment was not written.", nothingWritten: true);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId}: the database refused a decision; deciding again under its lock. {Reason}")]
    private partial void LogConflict(Guid eventId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: emitting domain events failed; they stay in the outbox for the relay")]
    private partial void LogEmitFailed(Exception exception, Guid eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: committing a decision failed; reading the database back")]
    private partial void LogCommitFailed(Exception exception, Guid eventId);
}
