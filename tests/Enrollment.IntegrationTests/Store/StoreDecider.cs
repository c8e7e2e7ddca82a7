using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Tests.Store;

/// <summary>
/// Drives a store as the grain's writer does: decisions are taken on its state, and committed against the row they
/// were taken on; after a commit the next decisions are taken on the row it produced.
/// </summary>
internal sealed class StoreDecider(IEnrollmentStore store, EventCapacityState state)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    public EventCapacityState State => state;

    /// <summary>The row the decisions not yet committed were taken on.</summary>
    public PolicyRow DecidedOn { get; private set; } = state.ToPolicyRow();

    public static async Task<StoreDecider> LoadAsync(IEnrollmentStore store, Guid eventId) =>
        new(store, (await store.LoadAsync(eventId))!);

    public EnrollmentDecision.Admit Admit(Guid? userId = null)
    {
        var admit = Assert.IsType<EnrollmentDecision.Admit>(state.Decide(new EnrollmentRequest(userId ?? Guid.NewGuid(), Guid.NewGuid(), Now)));
        state.Apply(admit);
        return admit;
    }

    /// <summary>Decides a transition, applies it, and returns what it writes.</summary>
    public DecisionWrite Take(Func<EventCapacityState, TransitionDecision> decide)
    {
        var write = decide(state).Write ?? throw new InvalidOperationException("the transition was not allowed");
        state.Apply(write);
        return write;
    }

    public async Task<CommitResult> CommitAsync(DecisionWrite write)
    {
        var result = await store.CommitAsync(state.EventId, DecidedOn, write);
        if (result is CommitResult.Committed committed)
        {
            DecidedOn = committed.Row;
            state.MarkCommitted(committed.Row.Version);
        }

        return result;
    }

    public static DecisionWrite Write(params IEnumerable<EnrollmentDecision.Admit> admits) => new(admits.Select(admit => admit.Change).ToList());

    public static DecisionWrite Together(params IEnumerable<DecisionWrite> writes) => new(writes.SelectMany(write => write.Changes).ToList(), writes.First().NewPolicy);
}
