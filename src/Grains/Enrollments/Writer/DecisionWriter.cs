using Microsoft.Extensions.Logging;
using OrleansEnrollment.Telemetry;

namespace OrleansEnrollment.Enrollments;

/// <summary>
/// Decides one event's calls in arrival order and answers each once every decision its answer rests on is committed.
/// <para>
/// Each call is decided at once against <see cref="state"/>: the committed state with the decisions of the calls still
/// pending applied in order, so later calls see earlier ones. One loop commits the pending decisions from the head, a
/// group at a time, and answers a group only after its commit. Whenever the state may hold a decision that did not
/// commit (a refusal, a failure, an unknown outcome), it is dropped at once, before any other call can see it; calls
/// then wait, undecided, until the state is read again, and are decided on that state exactly once.
/// </para>
/// <para>
/// A <see cref="PendingStep"/> (deleting the event) takes its place in the same queue but decides nothing: it runs
/// alone once everything before it has committed, and nothing behind it is written until it ends.
/// </para>
/// <para>
/// Not thread-safe: it runs on its grain's activation, one turn at a time; every step between two awaits is one turn.
/// </para>
/// </summary>
public sealed partial class DecisionWriter
{
    /// <summary>Bounds a transaction, so the row lock is held briefly and one failure answers a bounded number of callers.</summary>
    public const int MaxGroupSize = 256;

    private readonly Guid eventId;
    private readonly IEnrollmentStore store;
    private readonly IDecisionListener listener;
    private readonly EnrollmentMetrics metrics;
    private readonly ILogger logger;
    private readonly LinkedList<PendingCall> pending = new();

    // The committed state with the decision of every pending call applied, in order; null while the database must be
    // read before anything can be decided (at first, and after a refusal, a failure or an unknown outcome).
    private EventCapacityState? state;

    // The policy row as last committed or read: what the group at the head of the queue was decided on.
    private PolicyRow? committed;

    // A commit's outcome is unknown and its transaction may still be on its way: the next read must fence it off.
    private bool fenceBeforeReading;

    private bool writing;

    /// <param name="loaded">The state read at activation; null to read it on the first call.</param>
    public DecisionWriter(
        Guid eventId, IEnrollmentStore store, IDecisionListener listener, EnrollmentMetrics metrics, ILogger logger, EventCapacityState? loaded = null)
    {
        this.eventId = eventId;
        this.store = store;
        this.listener = listener;
        this.metrics = metrics;
        this.logger = logger;
        state = loaded;
        committed = loaded?.ToPolicyRow();
    }

    /// <summary>
    /// Decides a call and answers it once that is safe: at once when it writes nothing and nothing is pending (the
    /// state is then exactly the committed one), else after the commit of its group and of every group before it.
    /// </summary>
    /// <param name="decide">Pure: what the call writes and answers, given a state.</param>
    /// <param name="whenEventMissing">The answer when the event does not exist.</param>
    public Task<TAnswer> DecideAsync<TAnswer>(Func<EventCapacityState, Decision<TAnswer>> decide, TAnswer whenEventMissing)
    {
        var call = new PendingCall<TAnswer>(decide, whenEventMissing);
        if (state is not null)
        {
            DecideOn(call, state);
            if (call.Write is null && pending.Count == 0)
            {
                return Task.FromResult(call.DecidedAnswer);
            }
        }

        Enqueue(call);
        return call.Answered;
    }

    /// <summary>
    /// Runs <paramref name="step"/> alone (<see cref="PendingStep"/>): after every call before it is committed and
    /// answered, before any call after it is written. When <paramref name="endsEvent"/> says its answer leaves no event,
    /// the calls behind it are answered as for an unknown event.
    /// </summary>
    public Task<TAnswer> RunAloneAsync<TAnswer>(Func<Task<TAnswer>> step, Func<TAnswer, bool> endsEvent, TAnswer whenEventMissing)
    {
        var call = new PendingStep<TAnswer>(step, endsEvent, whenEventMissing);
        Enqueue(call);
        return call.Answered;
    }

    private void Enqueue(PendingCall call)
    {
        pending.AddLast(call);
        if (!writing)
        {
            writing = true;
            _ = WriteAsync(); // runs on this activation; each caller waits for its own answer
        }
    }

    private async Task WriteAsync()
    {
        try
        {
            while (pending.Count > 0)
            {
                if (state is null)
                {
                    await ReadStateAsync();
                    continue;
                }

                AnswerWhatRestsOnCommittedState();
                if (pending.First?.Value is PendingStep step)
                {
                    await RunStepAsync(step);
                }
                else if (pending.Count > 0)
                {
                    var group = NextGroup();
                    await CommitAsync(group, Combine(group)!);
                }
            }
        }
        catch (Exception exception)
        {
            // Every fault of the database is handled where it happens; this is a bug. No caller may wait forever, and
            // nothing decided so far can be trusted.
            LogWriterFailed(exception, eventId);
            Forget(fence: true);
            listener.MayHaveUnemittedEvents();
            FailAll(Unknown(exception));
        }
        finally
        {
            writing = false;
        }
    }

    /// <summary>The normal path: one transaction that commits only if the policy row is still the one the group was decided on.</summary>
    private async Task CommitAsync(List<PendingCall> group, DecisionWrite write)
    {
        var decidedOn = committed!;
        CommitResult result;
        try
        {
            result = await TimedCommitAsync(group.Count, () => store.CommitAsync(eventId, decidedOn, write));
        }
        catch (Exception exception)
        {
            await ResolveUnknownOutcomeAsync(group, new UncertainCommit(decidedOn, write), exception);
            return;
        }

        switch (result)
        {
            case CommitResult.Committed done:
                MarkCommitted(done.Row);
                state!.MarkCommitted(done.Row.Version);
                Dequeue(group.Count);
                group.ForEach(call => call.Answer());
                await listener.EmitCommittedAsync(write.Events);
                break;
            case CommitResult.Refused refused:
                // Another writer got in (a second activation during a membership change), or a bug: either way the
                // state is not the database's. Nobody sees it again; the queue is decided under the database's lock.
                ReportRefusal(refused, group.Count);
                Forget(fence: false);
                await DecideUnderLockAsync();
                break;
        }
    }

    /// <summary>Runs the step at the head of the queue; nothing else of this event is written meanwhile.</summary>
    private async Task RunStepAsync(PendingStep step)
    {
        bool eventGone;
        try
        {
            eventGone = await step.RunAsync();
        }
        catch (Exception exception)
        {
            // It may have landed: nothing more is decided until the event is read again behind a fence.
            LogStepFailed(exception, eventId);
            Dequeue(1);
            step.Fail(Unknown(exception));
            Forget(fence: true);
            return;
        }

        Dequeue(1);
        step.Answer();
        if (eventGone)
        {
            Forget(fence: false);
            AnswerAllEventMissing();
        }
    }

    /// <summary>Decides the head of the queue while holding the database's lock: no other writer can get in between.</summary>
    private async Task DecideUnderLockAsync()
    {
        var candidates = pending.TakeWhile(call => call is not PendingStep).Take(MaxGroupSize).ToList();
        var decided = new List<PendingCall>();
        PolicyRow? decidedOn = null;
        DecisionWrite? write = null;
        EventCapacityState? locked;
        CommitResult result;
        try
        {
            (locked, result) = await TimedUnderLockAsync(candidates.Count, () => store.DecideUnderLockAsync(eventId, current =>
            {
                decidedOn = current.ToPolicyRow();
                foreach (var call in candidates)
                {
                    // a policy change opens a group (it is written first in its transaction)
                    if (call.Decide(current)?.NewPolicy is not null && decided.Exists(earlier => earlier.Write is not null))
                    {
                        call.Forget();
                        break;
                    }

                    call.Apply(current);
                    decided.Add(call);
                }

                write = Combine(decided);
                return write;
            }));
        }
        catch (Exception exception) when (write is not null)
        {
            await ResolveUnknownOutcomeAsync(decided, new UncertainCommit(decidedOn!, write), exception);
            return;
        }
        catch (Exception exception)
        {
            // Nothing was sent: the lock or the read failed.
            LogReadFailed(exception, eventId);
            Dequeue(candidates.Count);
            candidates.ForEach(call => call.Fail(Unavailable(exception)));
            return;
        }

        switch (result)
        {
            case CommitResult.Committed done when locked is not null:
                state = locked;
                MarkCommitted(done.Row);
                Dequeue(decided.Count);
                decided.ForEach(call => call.Answer());
                DecideAll();
                await listener.EmitCommittedAsync(write?.Events ?? []);
                break;
            case CommitResult.Refused { Reason: RefusalReasons.EventGone }:
                AnswerAllEventMissing();
                break;
            case CommitResult.Refused refused:
                // Under the lock nothing is stale: only the backstop refuses, where the rule and the triggers disagree.
                ReportRefusal(refused, decided.Count);
                LogRefusedUnderLock(eventId, refused.Detail);
                Dequeue(decided.Count);
                FailWritesRequeueReads(decided, Unavailable(null));
                break;
        }
    }

    /// <summary>
    /// A commit threw: it may or may not have landed (a lost acknowledgement looks like a failure). Fences the event and
    /// reads it back, then answers the group by what the database holds; the calls behind it are decided again on it.
    /// </summary>
    private async Task ResolveUnknownOutcomeAsync(List<PendingCall> group, UncertainCommit uncertain, Exception exception)
    {
        LogCommitFailed(exception, eventId);
        Dequeue(group.Count);
        Forget(fence: true);
        FencedLoad fenced;
        try
        {
            fenced = await store.LoadFencedAsync(eventId, uncertain);
            fenceBeforeReading = false;
        }
        catch (Exception readBack)
        {
            LogReadFailed(readBack, eventId);
            listener.MayHaveUnemittedEvents();
            group.ForEach(call => call.Fail(call.Write is null ? Unavailable(readBack) : Unknown(readBack)));
            FailAll(Unavailable(readBack));
            return;
        }

        if (fenced.State is null)
        {
            group.ForEach(call => call.AnswerEventMissing());
            AnswerAllEventMissing();
            return;
        }

        if (fenced.Landed is true)
        {
            group.ForEach(call => call.Answer());
        }
        else
        {
            FailWritesRequeueReads(group, fenced.Landed is false ? Unavailable(exception) : Unknown(exception));
        }

        state = fenced.State;
        MarkCommitted(fenced.State.ToPolicyRow());
        DecideAll();
        if (fenced.Landed is not false)
        {
            listener.MayHaveUnemittedEvents();
            await listener.EmitCommittedAsync([]);
        }
    }

    /// <summary>Reads the database's state and decides every pending call on it, in arrival order.</summary>
    private async Task ReadStateAsync()
    {
        EventCapacityState? fresh;
        try
        {
            fresh = fenceBeforeReading ? (await store.LoadFencedAsync(eventId, null)).State : await store.LoadAsync(eventId);
            fenceBeforeReading = false;
        }
        catch (Exception exception)
        {
            LogReadFailed(exception, eventId);
            FailAll(Unavailable(exception));
            return;
        }

        if (fresh is null)
        {
            AnswerAllEventMissing();
            return;
        }

        state = fresh;
        MarkCommitted(fresh.ToPolicyRow());
        DecideAll();
    }

    /// <summary>
    /// Answers the calls at the head of the queue that write nothing (reads, refusals, "already enrolled"): everything
    /// before them has committed, so their answers rest on committed decisions only.
    /// </summary>
    private void AnswerWhatRestsOnCommittedState()
    {
        while (pending.First?.Value is { Write: null } head and not PendingStep)
        {
            pending.RemoveFirst();
            head.Answer();
        }
    }

    /// <summary>The longest run from the head of the queue that can share one transaction; it starts with a call that writes.</summary>
    private List<PendingCall> NextGroup()
    {
        var group = new List<PendingCall>();
        foreach (var call in pending)
        {
            // A policy change is written first in its transaction, so it can only open a group; a step runs alone.
            if (group.Count == MaxGroupSize || (group.Count > 0 && call.Write?.NewPolicy is not null) || call is PendingStep)
            {
                break;
            }

            group.Add(call);
        }

        return group;
    }

    private static DecisionWrite? Combine(List<PendingCall> group)
    {
        var writes = group.Select(call => call.Write).OfType<DecisionWrite>().ToList();
        return writes.Count == 0 ? null : new DecisionWrite(writes.SelectMany(write => write.Changes).ToList(), writes[0].NewPolicy);
    }

    private static void DecideOn(PendingCall call, EventCapacityState current)
    {
        call.Decide(current);
        call.Apply(current);
    }

    /// <summary>Decides every pending call on a state just read or committed under the lock, none of them decided on it yet.</summary>
    private void DecideAll()
    {
        foreach (var call in pending)
        {
            DecideOn(call, state!);
        }
    }

    /// <summary>Drops the state and every decision taken on it.</summary>
    private void Forget(bool fence)
    {
        state = null;
        committed = null;
        fenceBeforeReading |= fence;
        foreach (var call in pending)
        {
            call.Forget();
        }
    }

    private void MarkCommitted(PolicyRow row)
    {
        committed = row;
        metrics.Waiting(eventId, row.WaitlistCount);
    }

    /// <summary>Fails the calls of a group that did not land which wrote something; the others go back to the head of the queue, to be decided again.</summary>
    private void FailWritesRequeueReads(List<PendingCall> group, Exception error)
    {
        for (var i = group.Count - 1; i >= 0; i--)
        {
            var call = group[i];
            if (call.Write is null)
            {
                pending.AddFirst(call);
            }
            else
            {
                call.Fail(error);
            }

            call.Forget();
        }
    }

    private void Dequeue(int count)
    {
        for (var i = 0; i < count; i++)
        {
            pending.RemoveFirst();
        }
    }

    private void FailAll(Exception error)
    {
        foreach (var call in pending)
        {
            call.Fail(error);
        }

        pending.Clear();
    }

    private void AnswerAllEventMissing()
    {
        foreach (var call in pending)
        {
            call.AnswerEventMissing();
        }

        pending.Clear();
        listener.EventMissing();
    }

    private static EnrollmentUnavailableException Unavailable(Exception? cause) => new(
        $"The enrollment store is unavailable{(cause is null ? "" : $" ({cause.Message})")}; nothing was written.", nothingWritten: true, cause);

    private static EnrollmentUnavailableException Unknown(Exception cause) => new(
        $"The enrollment store is unavailable ({cause.Message}); whether the change landed is unknown, and repeating it is safe.",
        nothingWritten: false, cause);
}
