using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Outbox;

namespace OrleansEnrollment.Enrollments;

/// <summary>
/// Decides every enrollment of one event. The grain is a thin front: it turns each call into a pure decision on the
/// event's state and hands it to the <see cref="DecisionWriter"/>, which decides calls in arrival order and answers each
/// only once what its answer rests on is committed; after each commit the <see cref="OrderedEmission"/> sends the
/// domain events out. The grain is reentrant so that calls keep arriving while a group is being written; every
/// decision is a synchronous step between awaits, so the single-threaded activation still decides one call at a time.
/// </summary>
[Reentrant]
public sealed partial class EventCapacityGrain(
    IEnrollmentStore store,
    EventDeletion deletion,
    OutboxStore outbox,
    IEnrollmentEventEmitter emitter,
    IOptions<OutboxOptions> outboxOptions,
    TimeProvider clock,
    ILogger<EventCapacityGrain> logger)
    : Grain, IEventCapacityGrain, IDecisionListener
{
    /// <summary>Bounds a transaction, so the row lock is held briefly and one failure answers a bounded number of callers.</summary>
    public const int MaxGroupSize = DecisionWriter.MaxGroupSize;

    private static readonly TransitionResult NoSuchEvent = TransitionResult.NotFound("There is no such event.");

    private DecisionWriter writer = null!;
    private OrderedEmission emission = null!;

    private Guid EventId => this.GetPrimaryKey();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stream = this.GetStreamProvider(EnrollmentStreams.ProviderName)
            .GetStream<EnrollmentEvent>(StreamId.Create(EnrollmentStreams.Namespace, EventId));
        emission = new OrderedEmission(EventId, stream, emitter, outbox, outboxOptions.Value.RedispatchPageSize, logger);
        EventCapacityState? loaded;
        bool mayHaveUnemittedEvents;
        try
        {
            loaded = await store.LoadAsync(EventId, cancellationToken);
            // A previous activation may have died between a commit and its emit.
            mayHaveUnemittedEvents = loaded is not null && (await outbox.LoadUndispatchedAsync(EventId, 0, 1, cancellationToken)).Count > 0;
        }
        catch (Exception exception) when (exception is not (EnrollmentUnavailableException or OperationCanceledException))
        {
            // The call that woke the grain gets the answer every failed read gets (Orleans hands the activation's
            // exception to it), not the database's own exception: it wrote nothing, and trying again is safe.
            throw new EnrollmentUnavailableException("The event could not be read from the database; nothing was written.", nothingWritten: true, exception);
        }

        writer = new DecisionWriter(EventId, store, this, Metrics, logger, loaded);
        ReportWaitlistOnActivation(loaded);
        if (mayHaveUnemittedEvents)
        {
            emission.MayHaveUnemittedEvents();
        }
    }

    public Task<EnrollmentResult> Enroll(Guid userId, Guid requestId) => TracedEnrollAsync(userId, () => writer.DecideAsync(
        CallDecisions.Enroll(new EnrollmentRequest(userId, requestId, clock.GetUtcNow())), EnrollmentResult.EventNotFound));

    public Task<TransitionResult> CancelOwn(Guid userId, TransitionRequest request) =>
        writer.DecideAsync(CallDecisions.CancelOwn(userId, request, clock.GetUtcNow()), NoSuchEvent);

    public Task<TransitionResult> Cancel(Guid enrollmentId, TransitionRequest request) =>
        Transition(current => current.DecideCancel(enrollmentId, request, clock.GetUtcNow()));

    public Task<TransitionResult> CheckIn(Guid enrollmentId, TransitionRequest request) =>
        Transition(current => current.DecideCheckIn(enrollmentId, request, clock.GetUtcNow()));

    public Task<TransitionResult> Attend(Guid enrollmentId, TransitionRequest request) =>
        Transition(current => current.DecideAttend(enrollmentId, request, clock.GetUtcNow()));

    public Task<TransitionResult> Promote(Guid enrollmentId, TransitionRequest request) =>
        Transition(current => current.DecidePromote(enrollmentId, request, clock.GetUtcNow()));

    public Task<TransitionResult> AcceptOffer(Guid userId, TransitionRequest request) =>
        writer.DecideAsync(CallDecisions.AcceptOffer(userId, request, clock.GetUtcNow()), NoSuchEvent);

    public Task<TransitionResult> DeclineOffer(Guid userId, TransitionRequest request) =>
        writer.DecideAsync(CallDecisions.DeclineOffer(userId, request, clock.GetUtcNow()), NoSuchEvent);

    public Task<int> ExpireOffers() =>
        writer.DecideAsync(CallDecisions.ExpireOffers(new TransitionRequest(null, Guid.NewGuid(), null), clock.GetUtcNow()), 0);

    public Task<EventCapacitySummary?> ChangePolicy(EnrollmentPolicy policy, TransitionRequest request) =>
        policy.Validate() is { } problem
            ? throw new ArgumentException(problem, nameof(policy))
            : writer.DecideAsync(CallDecisions.ChangePolicy(policy, request, clock.GetUtcNow()), null);

    public Task<EventCapacitySummary?> CloseEnrollment(TransitionRequest request)
    {
        // Stored to the microsecond, so the policy held here is exactly the one the database keeps.
        var now = EventCapacityState.ToDatabasePrecision(clock.GetUtcNow());
        return writer.DecideAsync(CallDecisions.ChangeWindow(policy => policy.ClosedFrom(now), request, now), null);
    }

    public Task<EventCapacitySummary?> OpenEnrollment(TransitionRequest request) =>
        writer.DecideAsync(CallDecisions.ChangeWindow(policy => policy.OpenedNow(), request, clock.GetUtcNow()), null);

    public Task<EventDeletionOutcome> DeleteEvent() => writer.RunAloneAsync(
        () => deletion.DeleteUnlessEnrolledAsync(EventId),
        outcome => outcome is EventDeletionOutcome.Deleted or EventDeletionOutcome.NotFound,
        EventDeletionOutcome.NotFound);

    // Reads wait for the decisions before them, so nobody sees an enrollment that is not committed yet.
    public Task<Enrollment?> GetEnrollment(Guid userId) => writer.DecideAsync(CallDecisions.GetEnrollment(userId), null);

    public Task<EventCapacitySummary?> GetSummary() => writer.DecideAsync(CallDecisions.GetSummary(), null);

    public Task DispatchPendingEvents() => emission.ReemitFromOutboxAsync();

    private Task<TransitionResult> Transition(Func<EventCapacityState, TransitionDecision> decide) =>
        writer.DecideAsync(CallDecisions.Transition(decide), NoSuchEvent);

    Task IDecisionListener.EmitCommittedAsync(IReadOnlyList<EnrollmentEvent> events) => emission.EmitCommittedAsync(events);

    void IDecisionListener.MayHaveUnemittedEvents() => emission.MayHaveUnemittedEvents();

    // Unknown event: keep nothing in memory, and ask the database again next time.
    void IDecisionListener.EventMissing() => DeactivateOnIdle();
}
