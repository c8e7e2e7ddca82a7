using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>
/// The real store with faults on demand: a commit that fails before reaching the database, one whose
/// acknowledgement is lost after the database committed it, and a database that cannot be read.
/// </summary>
public sealed class FaultyEnrollmentStore(IEnrollmentStore inner) : IEnrollmentStore
{
    public enum Fault
    {
        None,
        FailBeforeCommit,
        LoseAcknowledgementAfterCommit,
    }

    public Fault NextCommit { get; set; }

    /// <summary>While set, commits wait for it: a write "in flight" for as long as a test needs.</summary>
    public TaskCompletionSource? HoldCommits { get; set; }

    /// <summary>How many changes each commit that reached the database carried, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<int> CommittedGroupSizes { get; } = new();

    /// <summary>Commits that have started (and may be held).</summary>
    public int CommitsStarted;

    public bool LoadsFail { get; set; }

    public Task<EventCapacityState?> LoadAsync(Guid eventId, CancellationToken cancellationToken = default) =>
        LoadsFail ? throw new TimeoutException("injected: the database does not answer") : inner.LoadAsync(eventId, cancellationToken);

    public async Task<CommitResult> CommitAsync(
        Guid eventId, long expectedVersion, DecisionWrite write, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref CommitsStarted);
        if (HoldCommits is { } hold)
        {
            await hold.Task;
        }

        var fault = NextCommit;
        NextCommit = Fault.None;
        if (fault == Fault.FailBeforeCommit)
        {
            throw new TimeoutException("injected: the connection broke before the commit");
        }

        var result = await inner.CommitAsync(eventId, expectedVersion, write, cancellationToken);
        if (result is CommitResult.Committed)
        {
            CommittedGroupSizes.Enqueue(write.Changes.Count);
        }

        return fault == Fault.LoseAcknowledgementAfterCommit
            ? throw new TimeoutException("injected: the connection broke after the commit")
            : result;
    }

    public Task<bool> IsCommittedAsync(Guid domainEventId, CancellationToken cancellationToken = default) =>
        LoadsFail ? throw new TimeoutException("injected: the database does not answer") : inner.IsCommittedAsync(domainEventId, cancellationToken);

    public Task<(EventCapacityState? State, CommitResult Result)> DecideUnderLockAsync(
        Guid eventId, Func<EventCapacityState, DecisionWrite?> decide, CancellationToken cancellationToken = default) =>
        inner.DecideUnderLockAsync(eventId, decide, cancellationToken);
}
