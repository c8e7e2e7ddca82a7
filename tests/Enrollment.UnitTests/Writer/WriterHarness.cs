using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Telemetry;

namespace OrleansEnrollment.Tests.Writer;

/// <summary>
/// A <see cref="DecisionWriter"/> on a <see cref="ScriptedStore"/>, called as its grain calls it, recording what it
/// tells its grain and every decision it applies (call, state) so a test can tell whether a call was decided twice on
/// one state.
/// </summary>
internal sealed class WriterHarness : IDecisionListener
{
    private static readonly IMeterFactory Meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
    private readonly List<(int Call, EventCapacityState State)> applied = [];
    private int calls;

    public WriterHarness(int? capacity, bool hasWaitlist, bool loadAtStart = true)
    {
        Database = new InMemoryEvent(Guid.NewGuid(), new EnrollmentPolicy(capacity, hasWaitlist));
        Store = new ScriptedStore(Database);
        Writer = new DecisionWriter(
            Database.EventId, Store, this, new EnrollmentMetrics(Meters, TimeProvider.System), NullLogger.Instance,
            loadAtStart ? Database.Load() : null);
    }

    public InMemoryEvent Database { get; }

    public ScriptedStore Store { get; }

    public DecisionWriter Writer { get; }

    public List<IReadOnlyList<EnrollmentEvent>> Emitted { get; } = [];

    public int UnemittedWarnings { get; private set; }

    /// <summary>How often the writer told its grain the event does not exist (the grain deactivates then).</summary>
    public int EventMissingCalls { get; private set; }

    /// <summary>While set, the writer's emit after a commit waits for it.</summary>
    public TaskCompletionSource? HoldEmits { get; set; }

    public static DateTimeOffset Now => DateTimeOffset.UtcNow;

    public Task<EnrollmentResult> Enroll(Guid user, Guid? requestId = null) =>
        Decide(CallDecisions.Enroll(new EnrollmentRequest(user, requestId ?? Guid.NewGuid(), Now)), EnrollmentResult.EventNotFound);

    public Task<TransitionResult> CancelOwn(Guid user, Guid? requestId = null) =>
        Decide(CallDecisions.CancelOwn(user, new TransitionRequest(user, requestId ?? Guid.NewGuid(), null), Now), TransitionResult.NotFound("no event"));

    /// <summary>An admin's transition of the user's live enrollment, if any.</summary>
    public Task<TransitionResult> Admin(Guid user, Func<EventCapacityState, Guid, TransitionRequest, TransitionDecision> step, Guid? requestId = null) =>
        Decide(CallDecisions.Transition(current => current.FindLive(user) is { } live
            ? step(current, live.Id, new TransitionRequest(Guid.Empty, requestId ?? Guid.NewGuid(), null))
            : TransitionDecision.NotFound("not enrolled")), TransitionResult.NotFound("no event"));

    public Task<EventCapacitySummary?> ChangePolicy(int? capacity, bool hasWaitlist, Guid? requestId = null) =>
        Decide(CallDecisions.ChangePolicy(new EnrollmentPolicy(capacity, hasWaitlist), new TransitionRequest(Guid.Empty, requestId ?? Guid.NewGuid(), null), Now), null);

    public Task<Enrollment?> Read(Guid user) => Decide(CallDecisions.GetEnrollment(user), null);

    public Task<EventCapacitySummary?> Summary() => Decide(CallDecisions.GetSummary(), null);

    /// <summary>No call had its decision applied twice to the same state.</summary>
    public void AssertNothingDecidedTwice()
    {
        var twice = applied.GroupBy(entry => (entry.Call, RuntimeHelpers.GetHashCode(entry.State)))
            .Where(group => group.Count() > 1 && group.Select(entry => entry.State).Distinct(ReferenceEqualityComparer.Instance).Count() == 1)
            .Select(group => group.Key.Call)
            .ToList();
        Assert.True(twice.Count == 0, $"call(s) {string.Join(", ", twice)} were decided twice on one state");
    }

    Task IDecisionListener.EmitCommittedAsync(IReadOnlyList<EnrollmentEvent> events)
    {
        Emitted.Add(events);
        return HoldEmits?.Task ?? Task.CompletedTask;
    }

    void IDecisionListener.MayHaveUnemittedEvents() => UnemittedWarnings++;

    void IDecisionListener.EventMissing() => EventMissingCalls++;

    private Task<TAnswer> Decide<TAnswer>(Func<EventCapacityState, Decision<TAnswer>> decide, TAnswer whenMissing)
    {
        var call = ++calls;
        return Writer.DecideAsync(
            current =>
            {
                var decision = decide(current);
                return decision with
                {
                    Answer = after =>
                    {
                        applied.Add((call, after));
                        return decision.Answer(after);
                    },
                };
            },
            whenMissing);
    }
}
