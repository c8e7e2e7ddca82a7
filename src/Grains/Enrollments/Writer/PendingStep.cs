namespace OrleansEnrollment.Enrollments;

/// <summary>
/// A call that does its own database work instead of a decision (deleting the event): the <see cref="DecisionWriter"/>
/// runs it alone, once every call before it is committed and answered and before any call after it is written, so it
/// meets the event exactly as committed and nothing of this grain commits while it runs.
/// </summary>
internal abstract class PendingStep : PendingCall
{
    // A step decides nothing: it writes nothing through the writer and leaves the state as it is.
    public override DecisionWrite? Decide(EventCapacityState state) => null;

    public override void Apply(EventCapacityState state)
    {
    }

    /// <summary>Does the work and keeps its answer for <see cref="PendingCall.Answer"/>.</summary>
    /// <returns>True when the event no longer exists afterwards.</returns>
    public abstract Task<bool> RunAsync();
}

internal sealed class PendingStep<TAnswer>(Func<Task<TAnswer>> run, Func<TAnswer, bool> endsEvent, TAnswer whenEventMissing) : PendingStep
{
    private readonly TaskCompletionSource<TAnswer> answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TAnswer answer = default!;

    public Task<TAnswer> Answered => answered.Task;

    public override async Task<bool> RunAsync()
    {
        answer = await run();
        return endsEvent(answer);
    }

    public override void Answer() => answered.TrySetResult(answer);

    public override void AnswerEventMissing() => answered.TrySetResult(whenEventMissing);

    public override void Fail(Exception exception) => answered.TrySetException(exception);
}
