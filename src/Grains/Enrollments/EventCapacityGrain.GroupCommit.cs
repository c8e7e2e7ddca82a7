using Microsoft.Extensions.Logging;

namespace OrleansEnrollment.Enrollments;

/// <summary>
/// Group commit. A call is decided at once against the in-memory state, its decision applied there (so the next call
/// sees it) and queued; one writer commits the queue in arrival order, a group at a time, in one transaction each (one
/// row lock, one statement per kind of row), and only then answers the group's callers. Under light load a lone
/// request is written at once; under heavy load everything that arrived during one write goes in the next.
/// Nobody is told a result that is not committed: a group the database refuses is decided again on the database's
/// state (the callers get the new answers); a group that fails is answered with an error, and what was queued behind
/// it is decided again on a fresh read.
/// </summary>
public sealed partial class EventCapacityGrain
{
    /// <summary>Bounds a transaction, so the row lock is held briefly and one failure answers a bounded number of callers.</summary>
    public const int MaxGroupSize = 256;

    // After this many refusals in a row (another activation keeps winning), the head of the queue is decided under the
    // database's lock, which cannot be refused.
    private const int ConflictsBeforeLocking = 3;

    private readonly LinkedList<IQueuedDecision> queued = new();
    private bool writing;

    private interface IQueuedDecision
    {
        DecisionWrite? Write { get; }

        void Decide(EventCapacityState current);

        void Answer(EventCapacityState current);

        void Fail(Exception exception);
    }

    private sealed class QueuedDecision<TAnswer>(Func<EventCapacityState, (DecisionWrite? Write, TAnswer Answer)> decide) : IQueuedDecision
    {
        private readonly TaskCompletionSource<TAnswer> answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TAnswer answer = default!;

        public DecisionWrite? Write { get; private set; }

        public Task<TAnswer> Answered => answered.Task;

        public TAnswer Result => answer;

        public void Decide(EventCapacityState current)
        {
            (Write, answer) = decide(current);
            if (Write is not null)
            {
                current.Apply(Write);
            }
        }

        public void Answer(EventCapacityState current) => answered.TrySetResult(Shown(current, answer));

        public void Fail(Exception exception) => answered.TrySetException(exception);
    }

    /// <param name="decide">Pure: what to write (null for nothing) and what to answer, given a state.</param>
    private async Task<TAnswer> DecideAndCommitAsync<TAnswer>(
        TAnswer eventNotFound, Func<EventCapacityState, (DecisionWrite? Write, TAnswer Answer)> decide)
    {
        var current = await LoadedStateAsync();
        if (current is null)
        {
            return eventNotFound;
        }

        var decision = new QueuedDecision<TAnswer>(decide);
        decision.Decide(current);
        if (decision.Write is null && queued.Count == 0)
        {
            return Shown(current, decision.Result); // nothing uncommitted is behind this answer
        }

        queued.AddLast(decision);
        if (!writing)
        {
            writing = true;
            _ = WriteQueueAsync(); // runs on this activation; callers wait for their own answer
        }

        return await decision.Answered;
    }

    private async Task WriteQueueAsync()
    {
        var conflicts = 0;
        try
        {
            while (queued.Count > 0)
            {
                if (conflicts >= ConflictsBeforeLocking)
                {
                    await DecideHeadUnderLockAsync();
                    conflicts = 0;
                    continue;
                }

                var group = NextGroup();
                var write = Combine(group);
                var result = write is null ? new CommitResult.Committed(state!.Version) : await CommitGroupAsync(write, group);
                switch (result)
                {
                    case CommitResult.Committed committed:
                        conflicts = 0;
                        state!.MarkCommitted(committed.Version);
                        Dequeue(group.Count);
                        foreach (var decision in group)
                        {
                            decision.Answer(state);
                        }

                        await EmitAsync(write?.Events ?? []);
                        break;
                    case CommitResult.Conflict conflict:
                        conflicts++;
                        LogConflict(EventId, conflict.Reason);
                        await ReloadAndDecideAgainAsync();
                        break;
                    case null:
                        // the group failed and was answered so; the rest of the queue was decided again
                        conflicts = 0;
                        break;
                }
            }
        }
        catch (Exception exception)
        {
            // Nothing above should throw; if it does, no caller may be left waiting forever.
            FailAll(exception);
        }
        finally
        {
            writing = false;
        }
    }

    /// <summary>The longest run from the head of the queue that can share one transaction.</summary>
    private List<IQueuedDecision> NextGroup()
    {
        var group = new List<IQueuedDecision>();
        foreach (var decision in queued)
        {
            // A policy change is checked first in its transaction, so it can only open a group.
            if (group.Count == MaxGroupSize || (group.Count > 0 && decision.Write?.NewPolicy is not null))
            {
                break;
            }

            group.Add(decision);
        }

        return group;
    }

    private static DecisionWrite? Combine(List<IQueuedDecision> group)
    {
        var writes = group.Select(decision => decision.Write).OfType<DecisionWrite>().ToList();
        return writes.Count == 0 ? null : new DecisionWrite(writes.SelectMany(write => write.Changes).ToList(), writes[0].NewPolicy);
    }

    private void Dequeue(int count)
    {
        for (var i = 0; i < count; i++)
        {
            queued.RemoveFirst();
        }
    }

    /// <returns>The commit's result, or null when the group failed (its callers have their error).</returns>
    private async Task<CommitResult?> CommitGroupAsync(DecisionWrite write, List<IQueuedDecision> group)
    {
        try
        {
            return await TimedCommitAsync(group.Count, () => store.CommitAsync(EventId, state!.Version, write));
        }
        catch (Exception exception)
        {
            // The commit may or may not have landed (a lost acknowledgement looks like a failure). Reading the
            // database back is the only honest answer: the group's first domain event is in the outbox if and only
            // if its transaction committed.
            LogCommitFailed(exception, EventId);
            bool landed;
            try
            {
                landed = write.Changes.Count > 0
                    ? await store.IsCommittedAsync(write.Changes[0].Event.Id)
                    : (await store.LoadAsync(EventId))?.Policy == write.NewPolicy;
            }
            catch (Exception checkException)
            {
                await FailGroupAsync(group, new EnrollmentUnavailableException(
                    $"The enrollment store is unavailable ({exception.Message}); whether the change landed is unknown, and repeating it is safe.",
                    nothingWritten: false, checkException));
                return null;
            }

            if (landed)
            {
                // Committed after all: its callers get their answers, its events leave from the outbox (in order), and
                // the rest of the queue is decided again on a fresh read, since the version we would expect is unknown.
                Dequeue(group.Count);
                foreach (var decision in group)
                {
                    decision.Answer(state!);
                }

                mustReemitFromOutbox = true;
                await ReloadAndDecideAgainAsync();
                await EmitAsync([]);
                return null;
            }

            await FailGroupAsync(group, new EnrollmentUnavailableException(
                $"The enrollment store is unavailable ({exception.Message}); nothing was written.", nothingWritten: true));
            return null;
        }
    }

    /// <summary>Answers the failed group with the error; the decisions queued behind it are decided again on fresh state.</summary>
    private async Task FailGroupAsync(List<IQueuedDecision> group, Exception error)
    {
        Dequeue(group.Count);
        foreach (var decision in group)
        {
            decision.Fail(error);
        }

        await ReloadAndDecideAgainAsync();
    }

    /// <summary>Reads the database's state and decides every queued call again on it, in arrival order.</summary>
    private async Task ReloadAndDecideAgainAsync()
    {
        EventCapacityState? fresh;
        try
        {
            fresh = await store.LoadAsync(EventId);
        }
        catch (Exception exception)
        {
            state = null;
            FailAll(new EnrollmentUnavailableException(
                $"The enrollment store is unavailable ({exception.Message}); nothing was written.", nothingWritten: true, exception));
            return;
        }

        state = fresh;
        if (fresh is null)
        {
            FailAll(new EnrollmentUnavailableException("The event no longer exists; nothing was written.", nothingWritten: true));
            return;
        }

        foreach (var decision in queued)
        {
            decision.Decide(fresh);
        }
    }

    /// <summary>Decides the head of the queue while holding the database's lock: no other activation can get in between.</summary>
    private async Task DecideHeadUnderLockAsync()
    {
        var head = queued.First!.Value;
        var (fresh, result) = await store.DecideUnderLockAsync(EventId, locked =>
        {
            head.Decide(locked);
            return head.Write;
        });

        queued.RemoveFirst();
        if (result is CommitResult.Conflict conflict || fresh is null)
        {
            // Only the constraints themselves can refuse a decision taken under the lock: a bug, not a race.
            head.Fail(new EnrollmentUnavailableException(
                $"The database refused a decision for event {EventId}; nothing was written. {(result as CommitResult.Conflict)?.Reason}", nothingWritten: true));
            await ReloadAndDecideAgainAsync();
            return;
        }

        state = fresh;
        head.Answer(fresh);
        await EmitAsync(head.Write?.Events ?? []);
        foreach (var decision in queued)
        {
            decision.Decide(fresh);
        }
    }

    private void FailAll(Exception exception)
    {
        foreach (var decision in queued)
        {
            decision.Fail(exception);
        }

        queued.Clear();
    }

    /// <summary>Answers show a waiting enrollment's rank among the people still waiting, as of the state it was decided on.</summary>
    private static TAnswer Shown<TAnswer>(EventCapacityState current, TAnswer answer) => answer switch
    {
        EnrollmentResult { Enrollment: { } enrollment } result => (TAnswer)(object)(result with { Enrollment = current.Shown(enrollment) }),
        TransitionResult { Enrollment: { } enrollment } result => (TAnswer)(object)(result with { Enrollment = current.Shown(enrollment) }),
        _ => answer,
    };
    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId}: the database refused a group of decisions; deciding them again on its state. {Reason}")]
    private partial void LogConflict(Guid eventId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: committing a group of decisions failed; reading the database back")]
    private partial void LogCommitFailed(Exception exception, Guid eventId);
}
