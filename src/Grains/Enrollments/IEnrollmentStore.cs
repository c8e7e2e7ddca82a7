namespace OrleansEnrollment.Enrollments;

/// <summary>
/// Where an event's decisions become durable. Decisions are written as a list so a decider may commit a
/// group of them in one transaction; the store checks them again under the event's row lock and refuses
/// the whole list (writing nothing) when the database disagrees.
/// </summary>
public interface IEnrollmentStore
{
    /// <summary>The event's policy, counters and live enrollments, read consistently; null if the event does not exist.</summary>
    Task<EventCapacityState?> LoadAsync(Guid eventId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a decision (enrollments, audit rows, domain events, and a new policy if any) in one transaction, provided
    /// the locked policy row is still at <paramref name="expectedVersion"/> and agrees with every change.
    /// </summary>
    Task<CommitResult> CommitAsync(Guid eventId, long expectedVersion, DecisionWrite write, CancellationToken cancellationToken = default);

    /// <summary>Whether the transaction that wrote this domain event committed (its outbox row exists).</summary>
    Task<bool> IsCommittedAsync(Guid domainEventId, CancellationToken cancellationToken = default);

    /// <summary>
    /// For a decider that lost a race: locks the event's policy row, loads the state under that lock, lets
    /// <paramref name="decide"/> decide (and apply) against it, and commits the result before releasing the lock.
    /// Nobody can commit for the event in between, so the second decision cannot be stale. Returns the fresh state
    /// (null if the event is gone) with the decisions applied, and the outcome of the commit.
    /// </summary>
    Task<(EventCapacityState? State, CommitResult Result)> DecideUnderLockAsync(
        Guid eventId, Func<EventCapacityState, DecisionWrite?> decide, CancellationToken cancellationToken = default);
}

public abstract record CommitResult
{
    private CommitResult()
    {
    }

    /// <summary>Everything was written; the policy row is now at <see cref="Version"/>.</summary>
    public sealed record Committed(long Version) : CommitResult;

    /// <summary>The database disagreed with the decider (stale state, a second activation); nothing was written.</summary>
    public sealed record Conflict(string Reason) : CommitResult;
}
