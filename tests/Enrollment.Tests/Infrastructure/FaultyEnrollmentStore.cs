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

    public bool LoadsFail { get; set; }

    public Task<EventCapacityState?> LoadAsync(Guid eventId, CancellationToken cancellationToken = default) =>
        LoadsFail ? throw new TimeoutException("injected: the database does not answer") : inner.LoadAsync(eventId, cancellationToken);

    public async Task<CommitResult> CommitAsync(
        Guid eventId, long expectedVersion, DecisionWrite write, CancellationToken cancellationToken = default)
    {
        var fault = NextCommit;
        NextCommit = Fault.None;
        if (fault == Fault.FailBeforeCommit)
        {
            throw new TimeoutException("injected: the connection broke before the commit");
        }

        var result = await inner.CommitAsync(eventId, expectedVersion, write, cancellationToken);
        return fault == Fault.LoseAcknowledgementAfterCommit
            ? throw new TimeoutException("injected: the connection broke after the commit")
            : result;
    }

    public Task<(EventCapacityState? State, CommitResult Result)> DecideUnderLockAsync(
        Guid eventId, Func<EventCapacityState, DecisionWrite?> decide, CancellationToken cancellationToken = default) =>
        inner.DecideUnderLockAsync(eventId, decide, cancellationToken);
}
