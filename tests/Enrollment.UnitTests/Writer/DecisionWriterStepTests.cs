using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Tests.Writer;

/// <summary>
/// A step run alone (deleting the event): it starts only once every call before it is committed, nothing behind it
/// reaches the store while it runs, and what it ends with decides what the calls behind it get.
/// </summary>
public sealed class DecisionWriterStepTests
{
    private sealed class Step
    {
        private readonly TaskCompletionSource<EventDeletionOutcome> outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Started { get; private set; }

        public Task<EventDeletionOutcome> Run(DecisionWriter writer) => writer.RunAloneAsync(
            () =>
            {
                Started = true;
                return outcome.Task;
            },
            answer => answer == EventDeletionOutcome.Deleted,
            EventDeletionOutcome.NotFound);

        public void End(EventDeletionOutcome answer) => outcome.SetResult(answer);

        public void Fail(Exception exception) => outcome.SetException(exception);
    }

    [Fact]
    public void A_step_waits_for_the_commit_before_it_and_the_calls_behind_a_deletion_find_no_event() => ActivationContext.Run(async () =>
    {
        var writer = new WriterHarness(capacity: 5, hasWaitlist: false);
        var step = new Step();

        var before = writer.Enroll(Guid.NewGuid());
        var deleted = step.Run(writer.Writer);
        var behind = writer.Enroll(Guid.NewGuid());
        var read = writer.Summary();
        await ActivationContext.IdleAsync();
        Assert.False(step.Started);

        writer.Store.End(StoreCallKind.Commit, Verdict.Succeed);
        await ActivationContext.IdleAsync();
        Assert.True((await before).IsConfirmed);
        Assert.True(step.Started);
        Assert.Empty(writer.Store.Waiting); // nothing behind the step goes to the store while it runs
        Assert.False(behind.IsCompleted || read.IsCompleted);

        step.End(EventDeletionOutcome.Deleted);

        Assert.Equal(EventDeletionOutcome.Deleted, await deleted);
        Assert.Equal(EnrollmentOutcome.EventNotFound, (await behind).Outcome);
        Assert.Null(await read);
        Assert.Equal(1, writer.EventMissingCalls);
        Assert.Single(writer.Database.History);
    });

    [Fact]
    public void After_a_refused_step_the_calls_behind_it_are_written_as_decided() => ActivationContext.Run(async () =>
    {
        var writer = new WriterHarness(capacity: 5, hasWaitlist: false);
        var step = new Step();

        var refused = step.Run(writer.Writer);
        var behind = writer.Enroll(Guid.NewGuid());
        await ActivationContext.IdleAsync();
        Assert.True(step.Started);
        Assert.Empty(writer.Store.Waiting);

        step.End(EventDeletionOutcome.HasEnrollments);
        await ActivationContext.IdleAsync();
        writer.Store.End(StoreCallKind.Commit, Verdict.Succeed);

        Assert.Equal(EventDeletionOutcome.HasEnrollments, await refused);
        Assert.True((await behind).IsConfirmed);
        Assert.Equal(0, writer.EventMissingCalls);
        writer.AssertNothingDecidedTwice();
    });

    [Fact]
    public void A_step_that_fails_is_answered_unknown_and_the_event_is_read_again_behind_a_fence_before_anything_else() => ActivationContext.Run(async () =>
    {
        var writer = new WriterHarness(capacity: 5, hasWaitlist: false);
        var step = new Step();

        var failed = step.Run(writer.Writer);
        var behind = writer.Enroll(Guid.NewGuid());
        await ActivationContext.IdleAsync();
        step.Fail(new TimeoutException("the connection went away"));
        await ActivationContext.IdleAsync();

        var unknown = await Assert.ThrowsAsync<EnrollmentUnavailableException>(() => failed);
        Assert.False(unknown.NothingWritten);
        Assert.Equal(StoreCallKind.LoadFenced, Assert.Single(writer.Store.Waiting).Kind);
        writer.Store.End(StoreCallKind.LoadFenced, Verdict.Succeed);
        await ActivationContext.IdleAsync();
        writer.Store.End(StoreCallKind.Commit, Verdict.Succeed);
        Assert.True((await behind).IsConfirmed);
        writer.AssertNothingDecidedTwice();
    });
}
