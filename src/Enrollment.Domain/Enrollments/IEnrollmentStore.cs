namespace OrleansEnrollment.Enrollments;

/// <summary>
/// Where an event's decisions become durable. Decisions are written as one ordered list, so a decider may commit a
/// group of them in one transaction; the store writes them in the order they were taken and refuses the whole list
/// (writing nothing) when the database disagrees with it.
/// </summary>
public interface IEnrollmentStore
{
    /// <summary>The event's policy, counters and live enrollments, read consistently; null if the event does not exist.</summary>
    Task<EventCapacityState?> LoadAsync(Guid eventId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes decisions taken on <paramref name="decidedOn"/> (enrollments, audit rows, domain events, and a new policy
    /// if any) in one transaction that locks the event's policy row and refuses, writing nothing, unless the row is
    /// still exactly <paramref name="decidedOn"/>. Throws when the outcome is unknown (a lost connection, a timeout):
    /// then <see cref="LoadFencedAsync"/> tells what happened.
    /// </summary>
    Task<CommitResult> CommitAsync(Guid eventId, PolicyRow decidedOn, DecisionWrite write, CancellationToken cancellationToken = default);

    /// <summary>
    /// For a decider that was refused: locks the event's policy row, loads the state under that lock, lets
    /// <paramref name="decide"/> decide (and apply) against it, and commits the result before releasing the lock.
    /// Nobody can commit for the event in between, so the decision cannot be stale. Returns the state with the
    /// decisions applied (null if the event is gone) and the outcome of the commit.
    /// </summary>
    Task<(EventCapacityState? State, CommitResult Result)> DecideUnderLockAsync(
        Guid eventId, Func<EventCapacityState, DecisionWrite?> decide, CancellationToken cancellationToken = default);

    /// <summary>
    /// After a commit whose outcome is unknown: fences the event first (under its row lock, advances the row's version,
    /// so a transaction of that commit still on its way can no longer commit), then tells whether
    /// <paramref name="uncertain"/> landed and loads the state as it is now.
    /// </summary>
    Task<FencedLoad> LoadFencedAsync(Guid eventId, UncertainCommit? uncertain, CancellationToken cancellationToken = default);
}

public abstract record CommitResult
{
    private CommitResult()
    {
    }

    /// <summary>Everything was written; the policy row is now <see cref="Row"/>.</summary>
    public sealed record Committed(PolicyRow Row) : CommitResult;

    /// <summary>
    /// The database disagreed with the decider (stale state, a second activation, a broken rule); nothing was written.
    /// <see cref="Reason"/> is one of <see cref="RefusalReasons"/> or the name of the constraint that refused.
    /// </summary>
    public sealed record Refused(string Reason, string Detail) : CommitResult;
}

/// <summary>Why a commit was refused, when no constraint of the backstop named it.</summary>
public static class RefusalReasons
{
    /// <summary>The locked policy row was not the one the decisions were taken on.</summary>
    public const string StaleState = "stale_state";

    /// <summary>Replaying the decisions on the row they were taken on broke the rule: a decider's bug.</summary>
    public const string RuleReplay = "rule_replay";

    public const string EventGone = "event_gone";
}

/// <summary>A commit whose outcome is unknown: what it wrote, and the row it was decided on.</summary>
public sealed record UncertainCommit(PolicyRow DecidedOn, DecisionWrite Write);

/// <param name="State">The event's state after the fence; null if the event no longer exists.</param>
/// <param name="Landed">Whether the uncertain commit landed; null when that cannot be told (or none was given).</param>
public sealed record FencedLoad(EventCapacityState? State, bool? Landed);
