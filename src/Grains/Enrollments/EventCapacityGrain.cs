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

    public Task<EnrollmentResult> Enroll(Guid userId, Guid requestId)
    {
        var request = new EnrollmentRequest(userId, requestId, clock.GetUtcNow());
        return DecideAndCommitAsync(EnrollmentResult.EventNotFound, current => current.Decide(request) switch
        {
            EnrollmentDecision.Admit admit => (admit.Write, EnrollmentResult.Enrolled(admit.Enrollment)),
            EnrollmentDecision.Existing existing => (null, EnrollmentResult.AlreadyEnrolled(existing.Enrollment)),
            _ => (null, EnrollmentResult.EventFull),
        });
    }

    public Task<TransitionResult> CancelOwn(Guid userId, TransitionRequest request) =>
        Transition(current => current.FindLive(userId) is { } own
            ? current.DecideCancel(own.Id, request with { ActorId = userId }, clock.GetUtcNow())
            : TransitionDecision.NotFound("You are not enrolled in this event."));

    public Task<TransitionResult> Cancel(Guid enrollmentId, TransitionRequest request) =>
        Transition(current => current.DecideCancel(enrollmentId, request, clock.GetUtcNow()));

    public Task<TransitionResult> CheckIn(Guid enrollmentId, TransitionRequest request) =>
        Transition(current => current.DecideCheckIn(enrollmentId, request, clock.GetUtcNow()));

    public Task<TransitionResult> Attend(Guid enrollmentId, TransitionRequest request) =>
        Transition(current => current.DecideAttend(enrollmentId, request, clock.GetUtcNow()));

    public Task<TransitionResult> Promote(Guid enrollmentId, TransitionRequest request) =>
        Transition(current => current.DecidePromote(enrollmentId, request, clock.GetUtcNow()));

    public async Task<EventCapacitySummary?> ChangePolicy(EnrollmentPolicy policy, TransitionRequest request)
    {
        if (policy.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(policy));
        }

        var changed = await DecideAndCommitAsync(
            false, current => (current.DecidePolicy(policy, request, clock.GetUtcNow()), true));
        return changed ? state?.ToSummary() ?? (await LoadedStateAsync())?.ToSummary() : null;
    }

    public async Task<Enrollment?> GetEnrollment(Guid userId) =>
        await LoadedStateAsync() is { } current && current.FindLive(userId) is { } enrollment ? current.Shown(enrollment) : null;

    public async Task<EventCapacitySummary?> GetSummary() => (await LoadedStateAsync())?.ToSummary();

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

    private Task<TransitionResult> Transition(Func<EventCapacityState, TransitionDecision> decide) =>
        DecideAndCommitAsync(TransitionResult.NotFound("There is no such event."), current =>
        {
            var decision = decide(current);
            return (decision.Write, decision.Answer with { Enrollment = decision.Answer.Enrollment is { } e ? current.Shown(e) : null });
        });

    /// <summary>
    /// Decides on the in-memory state, commits what the decision writes, then emits its domain events. When the
    /// database refuses (another activation got there first, or this state is stale) the same decision function runs
    /// again on the database's state under its lock, and that answer is the one returned.
    /// </summary>
    /// <param name="decide">Pure: what to write (null for nothing) and what to answer, given a state.</param>
    private async Task<TAnswer> DecideAndCommitAsync<TAnswer>(
        TAnswer eventNotFound, Func<EventCapacityState, (DecisionWrite? Write, TAnswer Answer)> decide)
    {
        var current = await LoadedStateAsync();
        if (current is null)
        {
            return eventNotFound;
        }

        var (write, answer) = decide(current);
        if (write is null)
        {
            return Shown(current, answer);
        }

        switch (await CommitAsync(current, write))
        {
            case CommitResult.Committed committed:
                // after an ambiguous failure the state was reloaded and already holds this decision
                if (ReferenceEquals(state, current))
                {
                    current.Apply(write);
                    current.MarkCommitted(committed.Version);
                }

                await EmitAsync(write.Events);
                return Shown(state ?? current, answer);
            case CommitResult.Conflict conflict:
                LogConflict(EventId, conflict.Reason);
                return await DecideAgainUnderLockAsync(eventNotFound, decide);
            default:
                throw new InvalidOperationException("Unknown commit result.");
        }
    }

    private async Task<TAnswer> DecideAgainUnderLockAsync<TAnswer>(
        TAnswer eventNotFound, Func<EventCapacityState, (DecisionWrite? Write, TAnswer Answer)> decide)
    {
        state = null;
        DecisionWrite? write = null;
        TAnswer answer = eventNotFound;
        var (fresh, result) = await store.DecideUnderLockAsync(EventId, locked =>
        {
            (write, answer) = decide(locked);
            if (write is not null)
            {
                locked.Apply(write);
            }

            return write;
        });

        if (result is CommitResult.Conflict conflict)
        {
            // Only the constraints themselves can refuse a decision taken under the lock: a bug, not a race.
            LogConflict(EventId, conflict.Reason);
            throw new EnrollmentUnavailableException(
                $"The database refused a decision for event {EventId}; nothing was written. {conflict.Reason}", nothingWritten: true);
        }

        state = fresh;
        if (fresh is null)
        {
            return eventNotFound;
        }

        if (write is not null)
        {
            await EmitAsync(write.Events);
        }

        return Shown(fresh, answer);
    }

    /// <summary>Answers show a waiting enrollment's rank among the people still waiting, as of the state it was decided on.</summary>
    private static TAnswer Shown<TAnswer>(EventCapacityState current, TAnswer answer) => answer switch
    {
        EnrollmentResult { Enrollment: { } enrollment } result => (TAnswer)(object)(result with { Enrollment = current.Shown(enrollment) }),
        TransitionResult { Enrollment: { } enrollment } result => (TAnswer)(object)(result with { Enrollment = current.Shown(enrollment) }),
        _ => answer,
    };

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

    private async Task<CommitResult> CommitAsync(EventCapacityState current, DecisionWrite write)
    {
        try
        {
            return await store.CommitAsync(current.EventId, current.Version, write);
        }
        catch (Exception exception)
        {
            // The commit may or may not have landed (a lost acknowledgement looks like a failure). Reading the
            // database back is the only honest answer: the decision's first domain event is in the outbox if and only
            // if its transaction committed.
            state = null;
            LogCommitFailed(exception, EventId);
            bool landed;
            try
            {
                var reloaded = await LoadedStateAsync();
                landed = write.Changes.Count > 0
                    ? await outbox.ContainsAsync(write.Changes[0].Event.Id)
                    : reloaded?.Policy == write.NewPolicy;
            }
            catch (Exception reloadException)
            {
                throw new EnrollmentUnavailableException(
                    $"The enrollment store is unavailable ({exception.Message}); whether the change landed is unknown, and repeating it is safe.",
                    nothingWritten: false, reloadException);
            }

            return landed
                ? new CommitResult.Committed(state?.Version ?? current.Version)
                : throw new EnrollmentUnavailableException(
                    $"The enrollment store is unavailable ({exception.Message}); nothing was written.", nothingWritten: true);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId}: the database refused a decision; deciding again under its lock. {Reason}")]
    private partial void LogConflict(Guid eventId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: emitting domain events failed; they stay in the outbox for the relay")]
    private partial void LogEmitFailed(Exception exception, Guid eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: committing a decision failed; reading the database back")]
    private partial void LogCommitFailed(Exception exception, Guid eventId);
}
