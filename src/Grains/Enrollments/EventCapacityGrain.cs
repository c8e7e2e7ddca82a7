using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Outbox;
using Orleans.Concurrency;
using Orleans.Streams;

namespace OrleansEnrollment.Enrollments;

/// <summary>
/// Decides every enrollment of one event. Each call is decided at once, in arrival order, against the in-memory
/// state (which already includes decisions still being written), and answered only once its decision is committed:
/// see <c>EventCapacityGrain.GroupCommit.cs</c> for how decisions are written in groups, and
/// <c>EventCapacityGrain.Emission.cs</c> for how their domain events leave after the commit. The grain is reentrant
/// so that requests keep arriving while a group is being written; every decision is a synchronous step between
/// awaits, so the single-threaded activation still decides one request at a time.
/// </summary>
[Reentrant]
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
    private Task<EventCapacityState?>? loading;
    private IAsyncStream<EnrollmentEvent> stream = null!;

    private Guid EventId => this.GetPrimaryKey();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        stream = this.GetStreamProvider(EnrollmentStreams.ProviderName)
            .GetStream<EnrollmentEvent>(StreamId.Create(EnrollmentStreams.Namespace, EventId));
        state = await store.LoadAsync(EventId, cancellationToken);
        ReportWaitlistOnActivation();
        // A previous activation may have died between a commit and its emit.
        mustReemitFromOutbox = state is not null && (await outbox.LoadUndispatchedAsync(EventId, 0, 1, cancellationToken)).Count > 0;
    }

    public Task<EnrollmentResult> Enroll(Guid userId, Guid requestId)
    {
        var request = new EnrollmentRequest(userId, requestId, clock.GetUtcNow());
        return TracedEnrollAsync(userId, () => DecideAndCommitAsync(EnrollmentResult.EventNotFound, current => current.Decide(request) switch
        {
            EnrollmentDecision.Admit admit => (admit.Write, EnrollmentResult.Enrolled(admit.Enrollment)),
            EnrollmentDecision.Existing existing => (null, EnrollmentResult.AlreadyEnrolled(existing.Enrollment)),
            _ => (null, EnrollmentResult.EventFull),
        }));
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

    // Reads wait for the decisions before them, so nobody sees an enrollment that is not committed yet.
    public Task<Enrollment?> GetEnrollment(Guid userId) =>
        DecideAndCommitAsync<Enrollment?>(null, current => (null, current.FindLive(userId) is { } enrollment ? current.Shown(enrollment) : null));

    public Task<EventCapacitySummary?> GetSummary() =>
        DecideAndCommitAsync<EventCapacitySummary?>(null, current => (null, current.ToSummary()));

    public async Task DispatchPendingEvents()
    {
        mustReemitFromOutbox = true;
        await ReemitFromOutboxAsync();
    }

    private Task<TransitionResult> Transition(Func<EventCapacityState, TransitionDecision> decide) =>
        DecideAndCommitAsync(TransitionResult.NotFound("There is no such event."), current =>
        {
            var decision = decide(current);
            return (decision.Write, decision.Answer with { Enrollment = decision.Answer.Enrollment is { } e ? current.Shown(e) : null });
        });

    /// <summary>The state, loading it once however many calls ask at the same time.</summary>
    private async Task<EventCapacityState?> LoadedStateAsync()
    {
        if (state is not null)
        {
            return state;
        }

        loading ??= store.LoadAsync(EventId);
        try
        {
            var loaded = await loading;
            state ??= loaded;
            if (state is null)
            {
                // Unknown event: keep nothing in memory, and ask the database again next time.
                DeactivateOnIdle();
            }

            return state;
        }
        finally
        {
            loading = null;
        }
    }
}
