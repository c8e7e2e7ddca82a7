using System.Collections.Concurrent;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Tests.History;

/// <summary>
/// The real store with faults injected at random, every choice drawn from one seeded generator: commits that fail
/// before reaching the database, lose their acknowledgement after committing, arrive late (the caller gives up at
/// once, the transaction lands a moment later — or is fenced off), are refused as if another activation had won, or
/// are slow; decisions under the lock that fail before or after their commit; reads that fail or are slow.
/// </summary>
public sealed class RandomFaultStore(IEnrollmentStore inner, int seed, double faultRate) : IEnrollmentStore
{
    private readonly Random random = new(seed);
    private readonly ConcurrentBag<Task> lateCommits = [];

    /// <summary>How many faults of each kind were injected.</summary>
    public ConcurrentDictionary<string, int> Injected { get; } = new();

    public int InjectedRefusals => Injected.GetValueOrDefault(nameof(CommitFault.Refuse));

    public bool Enabled { get; set; } = true;

    private enum CommitFault
    {
        None,
        FailBefore,
        LoseAcknowledgement,
        ArriveLate,
        Refuse,
        Slow,
    }

    /// <summary>Waits until every late transaction has reached the database (landed or refused).</summary>
    public Task LateCommitsSettledAsync() => Task.WhenAll(lateCommits);

    public async Task<EventCapacityState?> LoadAsync(Guid eventId, CancellationToken cancellationToken = default)
    {
        await ReadFaultAsync("load");
        return await inner.LoadAsync(eventId, cancellationToken);
    }

    public async Task<CommitResult> CommitAsync(Guid eventId, PolicyRow decidedOn, DecisionWrite write, CancellationToken cancellationToken = default)
    {
        var (fault, delay) = Draw(roll => roll switch
        {
            < 0.2 => CommitFault.FailBefore,
            < 0.4 => CommitFault.LoseAcknowledgement,
            < 0.6 => CommitFault.ArriveLate,
            < 0.8 => CommitFault.Refuse,
            _ => CommitFault.Slow,
        });
        switch (fault)
        {
            case CommitFault.FailBefore:
                throw Fault("commit failed before reaching the database");
            case CommitFault.Refuse:
                return new CommitResult.Refused(RefusalReasons.StaleState, "injected: another activation committed first");
            case CommitFault.ArriveLate:
                lateCommits.Add(Task.Run(async () =>
                {
                    await Task.Delay(delay);
                    await inner.CommitAsync(eventId, decidedOn, write, CancellationToken.None);
                }));
                throw Fault("no answer from the database yet");
            case CommitFault.Slow:
                await Task.Delay(delay, cancellationToken);
                break;
        }

        var result = await inner.CommitAsync(eventId, decidedOn, write, cancellationToken);
        return fault == CommitFault.LoseAcknowledgement ? throw Fault("the acknowledgement of the commit was lost") : result;
    }

    public async Task<(EventCapacityState? State, CommitResult Result)> DecideUnderLockAsync(
        Guid eventId, Func<EventCapacityState, DecisionWrite?> decide, CancellationToken cancellationToken = default)
    {
        var (fault, _) = Draw(roll => roll < 0.5 ? CommitFault.FailBefore : CommitFault.LoseAcknowledgement, "under lock: ");
        if (fault == CommitFault.FailBefore)
        {
            throw Fault("the decision under the lock failed before its commit");
        }

        var outcome = await inner.DecideUnderLockAsync(eventId, decide, cancellationToken);
        return fault == CommitFault.LoseAcknowledgement ? throw Fault("the acknowledgement of the decision under the lock was lost") : outcome;
    }

    public async Task<FencedLoad> LoadFencedAsync(Guid eventId, UncertainCommit? uncertain, CancellationToken cancellationToken = default)
    {
        await ReadFaultAsync("fenced load");
        return await inner.LoadFencedAsync(eventId, uncertain, cancellationToken);
    }

    private async Task ReadFaultAsync(string what)
    {
        var (fault, delay) = Draw(roll => roll < 0.5 ? CommitFault.FailBefore : CommitFault.Slow, $"{what}: ");
        switch (fault)
        {
            case CommitFault.FailBefore:
                throw Fault($"the {what} failed");
            case CommitFault.Slow:
                await Task.Delay(delay);
                break;
        }
    }

    /// <returns>A fault (None most of the time) and a delay for the slow and late ones.</returns>
    private (CommitFault Fault, TimeSpan Delay) Draw(Func<double, CommitFault> which, string prefix = "")
    {
        double faulty, roll;
        int milliseconds;
        lock (random)
        {
            (faulty, roll, milliseconds) = (random.NextDouble(), random.NextDouble(), random.Next(1, 40));
        }

        if (!Enabled || faulty >= faultRate)
        {
            return (CommitFault.None, TimeSpan.Zero);
        }

        var fault = which(roll);
        Injected.AddOrUpdate(prefix + fault, 1, (_, count) => count + 1);
        return (fault, TimeSpan.FromMilliseconds(milliseconds));
    }

    private static TimeoutException Fault(string what) => new($"injected: {what}");
}
