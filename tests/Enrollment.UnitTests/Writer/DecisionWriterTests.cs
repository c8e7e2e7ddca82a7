using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Tests.Writer;

/// <summary>
/// The writer on a scripted store, one interleaving per test, each stalled or failed at the await that matters: no
/// answer rests on a decision that did not commit, and no call is decided twice on one state.
/// </summary>
public sealed class DecisionWriterTests
{
    [Fact]
    public void Calls_arriving_during_a_commit_are_decided_at_once_and_answered_after_their_own_commit() => ActivationContext.Run(async () =>
    {
        var writer = new WriterHarness(capacity: 1, hasWaitlist: true);
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());

        var enrolled = writer.Enroll(first);
        var behind = writer.Enroll(second);
        var read = writer.Read(second);
        await ActivationContext.IdleAsync();
        Assert.False(behind.IsCompleted || read.IsCompleted);

        writer.Store.End(StoreCallKind.Commit, Verdict.Succeed);
        await ActivationContext.IdleAsync();
        Assert.True((await enrolled).IsConfirmed);
        Assert.False(behind.IsCompleted || read.IsCompleted);

        writer.Store.End(StoreCallKind.Commit, Verdict.Succeed);
        Assert.Equal(1, (await behind).Enrollment!.WaitlistPosition);
        Assert.Equal(EnrollmentStatus.Waitlisted, (await read)!.Status);
        Assert.Equal(2, writer.Database.History.Count);
        writer.AssertNothingDecidedTwice();
    });

    [Fact]
    public void A_read_with_nothing_pending_is_answered_at_once_from_the_committed_state() => ActivationContext.Run(async () =>
    {
        var writer = new WriterHarness(capacity: 5, hasWaitlist: false);
        var user = Guid.NewGuid();
        var enrolled = writer.Enroll(user);
        writer.Store.End(StoreCallKind.Commit, Verdict.Succeed);
        await enrolled;

        var read = writer.Read(user);

        Assert.True(read.IsCompleted);
        Assert.Equal((await enrolled).Enrollment!.Id, (await read)!.Id);
        Assert.Empty(writer.Store.Waiting);
    });

    [Fact]
    public void After_a_refusal_the_queue_is_decided_once_under_the_lock_and_calls_arriving_meanwhile_once_after() => ActivationContext.Run(async () =>
    {
        var writer = new WriterHarness(capacity: 5, hasWaitlist: true);
        var first = writer.Enroll(Guid.NewGuid());
        writer.Store.End(StoreCallKind.Commit, Verdict.Refuse);
        await ActivationContext.IdleAsync();

        // while the queue is decided under the lock, and while that commit's events are emitted, more calls arrive
        var duringLock = writer.Enroll(Guid.NewGuid());
        writer.HoldEmits = new TaskCompletionSource();
        writer.Store.End(StoreCallKind.DecideUnderLock, Verdict.Succeed);
        await ActivationContext.IdleAsync();
        Assert.True((await first).IsConfirmed);
        var duringEmit = writer.Enroll(Guid.NewGuid());
        await ActivationContext.IdleAsync();
        writer.HoldEmits.SetResult();
        writer.HoldEmits = null;
        await ActivationContext.IdleAsync();
        writer.Store.End(StoreCallKind.Commit, Verdict.Succeed);

        var answers = new[] { await first, await duringLock, await duringEmit };
        Assert.All(answers, answer => Assert.Equal(EnrollmentOutcome.Enrolled, answer.Outcome));
        Assert.Equal(answers.Select(answer => answer.Enrollment!.Id).Order(), writer.Database.History.Select(change => change.After.Id).Order());
        Assert.Empty(writer.Database.Violations);
        writer.AssertNothingDecidedTwice();
    });

    [Fact]
    public void A_decision_under_the_lock_that_fails_before_its_commit_is_answered_as_not_written_and_leaves_no_trace() => ActivationContext.Run(async () =>
    {
        var writer = new WriterHarness(capacity: 5, hasWaitlist: true);
        var user = Guid.NewGuid();
        var enroll = writer.Enroll(user);
        writer.Store.End(StoreCallKind.Commit, Verdict.Refuse);
        await ActivationContext.IdleAsync();
        writer.Store.End(StoreCallKind.DecideUnderLock, Verdict.FailBefore);
        await ActivationContext.IdleAsync();

        // the outcome is unknown to the writer until it has fenced the event and read it back
        var read = writer.Read(user);
        writer.Store.End(StoreCallKind.LoadFenced, Verdict.Succeed);

        var failure = await Assert.ThrowsAsync<EnrollmentUnavailableException>(() => enroll);
        Assert.True(failure.NothingWritten);
        Assert.Null(await read);
        Assert.Equal(0, (await writer.Summary())!.ActiveCount);
        Assert.Empty(writer.Database.History);
    });

    [Fact]
    public void A_decision_under_the_lock_whose_acknowledgement_is_lost_is_answered_as_committed() => ActivationContext.Run(async () =>
    {
        var writer = new WriterHarness(capacity: 5, hasWaitlist: true);
        var enroll = writer.Enroll(Guid.NewGuid());
        writer.Store.End(StoreCallKind.Commit, Verdict.Refuse);
        await ActivationContext.IdleAsync();
        writer.Store.End(StoreCallKind.DecideUnderLock, Verdict.FailAfter);
        await ActivationContext.IdleAsync();
        writer.Store.End(StoreCallKind.LoadFenced, Verdict.Succeed);

        Assert.True((await enroll).IsConfirmed);
        Assert.Single(writer.Database.History);
        // its domain event left no stream yet: the grain is told to emit from the outbox
        Assert.Equal(1, writer.UnemittedWarnings);
    });

    [Fact]
    public void Calls_arriving_while_a_failed_commit_is_read_back_wait_and_never_see_its_decision() => ActivationContext.Run(async () =>
    {
        var writer = new WriterHarness(capacity: 5, hasWaitlist: true);
        var user = Guid.NewGuid();
        var enroll = writer.Enroll(user);
        writer.Store.End(StoreCallKind.Commit, Verdict.FailBefore);
        await ActivationContext.IdleAsync();

        var read = writer.Read(user);
        var summary = writer.Summary();
        var retry = writer.Enroll(user);
        await ActivationContext.IdleAsync();
        Assert.False(read.IsCompleted || summary.IsCompleted || retry.IsCompleted);
        writer.Store.End(StoreCallKind.LoadFenced, Verdict.Succeed);
        await ActivationContext.IdleAsync();

        Assert.True((await Assert.ThrowsAsync<EnrollmentUnavailableException>(() => enroll)).NothingWritten);
        Assert.Null(await read);
        Assert.Equal(0, (await summary)!.ActiveCount);
        writer.Store.End(StoreCallKind.Commit, Verdict.Succeed);
        var retried = await retry;
        Assert.Equal(EnrollmentOutcome.Enrolled, retried.Outcome);
        Assert.Equal(retried.Enrollment!.Id, Assert.Single(writer.Database.History).After.Id);
        writer.AssertNothingDecidedTwice();
    });

    [Fact]
    public void A_transaction_still_on_its_way_when_the_writer_reads_back_cannot_land_after_being_answered_as_not_written() => ActivationContext.Run(async () =>
    {
        var writer = new WriterHarness(capacity: 5, hasWaitlist: true);
        var enroll = writer.Enroll(Guid.NewGuid());
        writer.Store.End(StoreCallKind.Commit, Verdict.ArriveLate);
        await ActivationContext.IdleAsync();
        writer.Store.End(StoreCallKind.LoadFenced, Verdict.Succeed);

        Assert.True((await Assert.ThrowsAsync<EnrollmentUnavailableException>(() => enroll)).NothingWritten);
        Assert.Equal(0, writer.Store.ArriveLate());
        Assert.Empty(writer.Database.History);
    });

    [Fact]
    public void When_the_read_back_fails_the_group_is_unknown_the_rest_not_written_and_the_next_read_fences_first() => ActivationContext.Run(async () =>
    {
        var writer = new WriterHarness(capacity: 5, hasWaitlist: true);
        var user = Guid.NewGuid();
        var inFlight = writer.Enroll(user);
        var behind = writer.Enroll(Guid.NewGuid());
        writer.Store.End(StoreCallKind.Commit, Verdict.ArriveLate);
        await ActivationContext.IdleAsync();
        writer.Store.End(StoreCallKind.LoadFenced, Verdict.FailEarly);

        Assert.False((await Assert.ThrowsAsync<EnrollmentUnavailableException>(() => inFlight)).NothingWritten);
        Assert.True((await Assert.ThrowsAsync<EnrollmentUnavailableException>(() => behind)).NothingWritten);
        Assert.Equal(1, writer.UnemittedWarnings);

        // the late transaction may still arrive before the next read: that read must fence it off first
        var read = writer.Read(user);
        await ActivationContext.IdleAsync();
        Assert.Equal(StoreCallKind.LoadFenced, writer.Store.Calls[^1]);
        writer.Store.End(StoreCallKind.LoadFenced, Verdict.Succeed);
        Assert.Null(await read);
        Assert.Equal(0, writer.Store.ArriveLate());
    });

    [Fact]
    public void A_lost_acknowledgement_is_answered_as_committed_and_the_calls_behind_it_are_decided_on_the_database() => ActivationContext.Run(async () =>
    {
        var writer = new WriterHarness(capacity: 1, hasWaitlist: true);
        var first = writer.Enroll(Guid.NewGuid());
        var second = writer.Enroll(Guid.NewGuid());
        await ActivationContext.IdleAsync();
        writer.Store.End(StoreCallKind.Commit, Verdict.FailAfter);
        await ActivationContext.IdleAsync();
        writer.Store.End(StoreCallKind.LoadFenced, Verdict.Succeed);
        await ActivationContext.IdleAsync();
        writer.Store.End(StoreCallKind.Commit, Verdict.Succeed);

        Assert.True((await first).IsConfirmed);
        Assert.Equal(1, (await second).Enrollment!.WaitlistPosition);
        Assert.Equal(2, writer.Database.History.Count);
        Assert.Equal(1, writer.UnemittedWarnings);
        writer.AssertNothingDecidedTwice();
    });

    [Fact]
    public void A_read_in_a_failed_group_is_decided_again_rather_than_failed() => ActivationContext.Run(async () =>
    {
        var writer = new WriterHarness(capacity: 5, hasWaitlist: true);
        var user = Guid.NewGuid();
        var blocker = writer.Enroll(Guid.NewGuid());
        var enroll = writer.Enroll(user);
        var read = writer.Read(user);
        writer.Store.End(StoreCallKind.Commit, Verdict.Succeed);
        await ActivationContext.IdleAsync();
        await blocker;
        writer.Store.End(StoreCallKind.Commit, Verdict.FailBefore);
        await ActivationContext.IdleAsync();
        writer.Store.End(StoreCallKind.LoadFenced, Verdict.Succeed);

        await Assert.ThrowsAsync<EnrollmentUnavailableException>(() => enroll);
        Assert.Null(await read);
    });

    [Fact]
    public void A_policy_change_opens_a_group_of_its_own() => ActivationContext.Run(async () =>
    {
        var writer = new WriterHarness(capacity: 1, hasWaitlist: true);
        var first = writer.Enroll(Guid.NewGuid());
        var waiting = writer.Enroll(Guid.NewGuid());
        var raise = writer.ChangePolicy(2, true);
        var after = writer.Enroll(Guid.NewGuid());
        writer.Store.End(StoreCallKind.Commit, Verdict.Succeed);
        await ActivationContext.IdleAsync();
        writer.Store.End(StoreCallKind.Commit, Verdict.Succeed);
        await ActivationContext.IdleAsync();
        writer.Store.End(StoreCallKind.Commit, Verdict.Succeed);

        Assert.True((await first).IsConfirmed);
        Assert.True((await waiting).IsWaitlisted);
        Assert.Equal(2, (await raise)!.ActiveCount);
        Assert.True((await after).IsWaitlisted);
        Assert.Equal(new[] { StoreCallKind.Commit, StoreCallKind.Commit, StoreCallKind.Commit }, writer.Store.Calls);
        Assert.Empty(writer.Database.Violations);
    });
}
