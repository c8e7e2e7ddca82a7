using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>
/// The real store with faults on demand: a commit that fails before reaching the database, one whose
/// acknowledgement is lost after the database committed it, one still on its way when the caller gave up, refusals
/// (as if another activation had won), a decision under the lock that fails, and a database that cannot be read.
/// </summary>
public sealed class FaultyEnrollmentStore(IEnrollmentStore inner) : IEnrollmentStore
{
    public enum Fault
    {
        None,
        FailBeforeCommit,
        LoseAcknowledgementAfterCommit,

        /// <summary>The caller sees a failure at once; the transaction reaches the database when the test releases it.</summary>
        ArriveLate,
    }

    public Fault NextCommit { get; set; }

    /// <summary>The next decision under the lock fails this way.</summary>
    public Fault NextDecisionUnderLock { get; set; }

    /// <summary>How many of the next commits are refused without reaching the database, as if another activation had won.</summary>
    public int RefuseNextCommits;

    /// <summary>While set, commits wait for it: a write "in flight" for as long as a test needs.</summary>
    public TaskCompletionSource? HoldCommits { get; set; }

    /// <summary>While set, loads wait for it.</summary>
    public TaskCompletionSource? HoldLoads { get; set; }

    /// <summary>Releases the commit of <see cref="Fault.ArriveLate"/>.</summary>
    public TaskCompletionSource LateArrival { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The late commit, once released: what the database made of it.</summary>
    public Task<CommitResult>? LateCommit { get; private set; }

    /// <summary>How many changes each commit that reached the database carried, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<int> CommittedGroupSizes { get; } = new();

    /// <summary>Refusals by the real store (not the injected ones): in single-activation operation there should be none.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Refusals { get; } = new();

    /// <summary>Commits that have started (and may be held).</summary>
    public int CommitsStarted;

    /// <summary>Loads that have started (and may be held).</summary>
    public int LoadsStarted;

    public bool LoadsFail { get; set; }

    public async Task<EventCapacityState?> LoadAsync(Guid eventId, CancellationToken cancellationToken = default)
    {
        await BeforeLoadAsync();
        return await inner.LoadAsync(eventId, cancellationToken);
    }

    public async Task<CommitResult> CommitAsync(
        Guid eventId, PolicyRow decidedOn, DecisionWrite write, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref CommitsStarted);
        if (HoldCommits is { } hold)
        {
            await hold.Task;
        }

        if (RefuseNextCommits > 0)
        {
            RefuseNextCommits--;
            return new CommitResult.Refused(RefusalReasons.StaleState, "injected: another activation committed first");
        }

        var fault = NextCommit;
        NextCommit = Fault.None;
        switch (fault)
        {
            case Fault.FailBeforeCommit:
                throw new TimeoutException("injected: the connection broke before the commit");
            case Fault.ArriveLate:
                LateCommit = Task.Run(async () =>
                {
                    await LateArrival.Task;
                    return await inner.CommitAsync(eventId, decidedOn, write, CancellationToken.None);
                });
                throw new TimeoutException("injected: no answer yet; the transaction is still on its way");
        }

        var result = Observed(await inner.CommitAsync(eventId, decidedOn, write, cancellationToken), write);
        return fault == Fault.LoseAcknowledgementAfterCommit
            ? throw new TimeoutException("injected: the connection broke after the commit")
            : result;
    }

    public async Task<FencedLoad> LoadFencedAsync(Guid eventId, UncertainCommit? uncertain, CancellationToken cancellationToken = default)
    {
        await BeforeLoadAsync();
        return await inner.LoadFencedAsync(eventId, uncertain, cancellationToken);
    }

    public async Task<(EventCapacityState? State, CommitResult Result)> DecideUnderLockAsync(
        Guid eventId, Func<EventCapacityState, DecisionWrite?> decide, CancellationToken cancellationToken = default)
    {
        await BeforeLoadAsync();
        var fault = NextDecisionUnderLock;
        NextDecisionUnderLock = Fault.None;
        if (fault == Fault.FailBeforeCommit)
        {
            throw new TimeoutException("injected: the connection broke before the commit under the lock");
        }

        DecisionWrite? written = null;
        var (state, result) = await inner.DecideUnderLockAsync(eventId, locked => written = decide(locked), cancellationToken);
        Observed(result, written);
        return fault == Fault.LoseAcknowledgementAfterCommit
            ? throw new TimeoutException("injected: the connection broke after the commit under the lock")
            : (state, result);
    }

    private CommitResult Observed(CommitResult result, DecisionWrite? write)
    {
        switch (result)
        {
            case CommitResult.Committed when write is not null:
                CommittedGroupSizes.Enqueue(write.Changes.Count);
                break;
            case CommitResult.Refused refused:
                Refusals.Enqueue($"{refused.Reason}: {refused.Detail}");
                break;
        }

        return result;
    }

    private async Task BeforeLoadAsync()
    {
        Interlocked.Increment(ref LoadsStarted);
        if (HoldLoads is { } hold)
        {
            await hold.Task;
        }

        if (LoadsFail)
        {
            throw new TimeoutException("injected: the database does not answer");
        }
    }
}
