namespace OrleansEnrollment.Enrollments;

/// <summary>
/// A call waiting in an event's <see cref="DecisionWriter"/>: decided on the writer's current state, or not yet (while
/// the writer reads the database), and answered once every decision its answer rests on is committed.
/// </summary>
internal abstract class PendingCall
{
    /// <summary>What the call writes as decided on the current state; null for nothing (a read, a refusal) or when undecided.</summary>
    public DecisionWrite? Write { get; protected set; }

    /// <summary>Decides on <paramref name="state"/> without changing it, and returns what the call would write.</summary>
    public abstract DecisionWrite? Decide(EventCapacityState state);

    /// <summary>Takes the decision into <paramref name="state"/>, so later calls see it, and fixes the answer as of that point.</summary>
    public abstract void Apply(EventCapacityState state);

    /// <summary>Drops the decision: the state it was taken on is gone, and the call is decided again on the next one.</summary>
    public void Forget() => Write = null;

    public abstract void Answer();

    public abstract void AnswerEventMissing();

    public abstract void Fail(Exception exception);
}

internal sealed class PendingCall<TAnswer>(Func<EventCapacityState, Decision<TAnswer>> decide, TAnswer whenEventMissing) : PendingCall
{
    private readonly TaskCompletionSource<TAnswer> answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Decision<TAnswer> decision;

    public Task<TAnswer> Answered => answered.Task;

    /// <summary>The answer as of the last <see cref="Apply"/>.</summary>
    public TAnswer DecidedAnswer { get; private set; } = default!;

    public override DecisionWrite? Decide(EventCapacityState state)
    {
        decision = decide(state);
        Write = decision.Write;
        return Write;
    }

    public override void Apply(EventCapacityState state)
    {
        if (Write is not null)
        {
            state.Apply(Write);
        }

        DecidedAnswer = decision.Answer(state);
    }

    public override void Answer() => answered.TrySetResult(DecidedAnswer);

    public override void AnswerEventMissing() => answered.TrySetResult(whenEventMissing);

    public override void Fail(Exception exception) => answered.TrySetException(exception);
}
