using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Tests.Writer;

public enum StoreCallKind
{
    Load,
    Commit,
    DecideUnderLock,
    LoadFenced,
}

/// <summary>How the test lets a store call end.</summary>
public enum Verdict
{
    Succeed,

    /// <summary>A commit refused as if another activation had committed first; nothing written.</summary>
    Refuse,

    /// <summary>Throws before anything reaches the database (a lock or a read that failed; for a decision under the lock, before deciding).</summary>
    FailEarly,

    /// <summary>Throws after the decision was sent but before it committed: nothing written.</summary>
    FailBefore,

    /// <summary>Throws after the commit: written, but the caller does not know.</summary>
    FailAfter,

    /// <summary>Throws at once while the transaction is still on its way: it reaches the database when <see cref="ScriptedStore.ArriveLate"/> says.</summary>
    ArriveLate,
}

/// <summary>One call to the scripted store, waiting for the test to say how it ends.</summary>
public sealed class StoreCall(StoreCallKind kind)
{
    private readonly TaskCompletionSource<Verdict> verdict = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StoreCallKind Kind => kind;

    public Task<Verdict> Verdict => verdict.Task;

    public void End(Verdict how) => verdict.SetResult(how);
}

/// <summary>
/// A store that does nothing until the test says how each call ends: it can stall at every await, fail before or after
/// its commit, refuse, or let a transaction arrive late. Its database is an <see cref="InMemoryEvent"/>.
/// </summary>
internal sealed class ScriptedStore(InMemoryEvent database) : IEnrollmentStore
{
    private readonly List<StoreCall> waiting = [];
    private readonly List<(PolicyRow DecidedOn, DecisionWrite Write)> late = [];

    public InMemoryEvent Database => database;

    /// <summary>When set, calls end at once this way instead of waiting for the test.</summary>
    public Verdict? Always { get; set; }

    public IReadOnlyList<StoreCall> Waiting => waiting;

    public List<StoreCallKind> Calls { get; } = [];

    /// <summary>The first waiting call (of a kind, if given); fails the test if there is none.</summary>
    public StoreCall Next(StoreCallKind? kind = null) =>
        waiting.FirstOrDefault(call => kind is null || call.Kind == kind)
        ?? throw new Xunit.Sdk.XunitException($"No store call{(kind is null ? "" : $" of kind {kind}")} is waiting; calls so far: {string.Join(", ", Calls)}");

    public void End(StoreCallKind kind, Verdict how)
    {
        var call = Next(kind);
        waiting.Remove(call);
        call.End(how);
    }

    /// <summary>Lets the transactions that were still on their way reach the database now.</summary>
    public int ArriveLate()
    {
        var landed = late.Count(pending => database.Commit(pending.DecidedOn, pending.Write) is CommitResult.Committed);
        late.Clear();
        return landed;
    }

    public async Task<EventCapacityState?> LoadAsync(Guid eventId, CancellationToken cancellationToken = default)
    {
        var how = await VerdictFor(StoreCallKind.Load);
        return how == Verdict.Succeed ? database.Load() : throw Injected(how);
    }

    public async Task<CommitResult> CommitAsync(Guid eventId, PolicyRow decidedOn, DecisionWrite write, CancellationToken cancellationToken = default)
    {
        var how = await VerdictFor(StoreCallKind.Commit);
        switch (how)
        {
            case Verdict.Succeed:
                return database.Commit(decidedOn, write);
            case Verdict.Refuse:
                return new CommitResult.Refused(RefusalReasons.StaleState, "scripted: another activation committed first");
            case Verdict.FailAfter:
                database.Commit(decidedOn, write);
                break;
            case Verdict.ArriveLate:
                late.Add((decidedOn, write));
                break;
        }

        throw Injected(how);
    }

    public async Task<(EventCapacityState? State, CommitResult Result)> DecideUnderLockAsync(
        Guid eventId, Func<EventCapacityState, DecisionWrite?> decide, CancellationToken cancellationToken = default)
    {
        var how = await VerdictFor(StoreCallKind.DecideUnderLock);
        if (how == Verdict.FailEarly)
        {
            throw Injected(how);
        }

        var locked = database.Load();
        var decidedOn = locked.ToPolicyRow();
        var write = decide(locked);
        switch (how)
        {
            case Verdict.Refuse:
                // under the lock nothing is stale: only a constraint of the backstop can refuse
                return (null, new CommitResult.Refused("enrollment_capacity", "scripted: the backstop refused"));
            case Verdict.Succeed when write is null:
                return (locked, new CommitResult.Committed(decidedOn));
            case Verdict.Succeed:
                var result = database.Commit(decidedOn, write);
                locked.MarkCommitted(database.Version);
                return result is CommitResult.Committed ? (locked, result) : (null, result);
            case Verdict.FailAfter when write is not null:
                database.Commit(decidedOn, write);
                break;
        }

        throw Injected(how);
    }

    public async Task<FencedLoad> LoadFencedAsync(Guid eventId, UncertainCommit? uncertain, CancellationToken cancellationToken = default)
    {
        var how = await VerdictFor(StoreCallKind.LoadFenced);
        if (how != Verdict.Succeed)
        {
            throw Injected(how);
        }

        database.Fence();
        bool? landed = uncertain switch
        {
            null => null,
            { Write.Changes.Count: > 0 } => database.History.Any(change => change.Event.Id == uncertain.Write.Changes[0].Event.Id),
            _ => null,
        };
        return new FencedLoad(database.Load(), landed);
    }

    private Task<Verdict> VerdictFor(StoreCallKind kind)
    {
        Calls.Add(kind);
        if (Always is { } how)
        {
            return Task.FromResult(how);
        }

        var call = new StoreCall(kind);
        waiting.Add(call);
        return call.Verdict;
    }

    private static TimeoutException Injected(Verdict how) => new($"scripted: {how}");
}
