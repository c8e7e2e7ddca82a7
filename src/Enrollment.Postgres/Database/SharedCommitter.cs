using System.Threading.Channels;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Database;

/// <summary>One event's group of decisions waiting for a transaction, with the row it was decided on.</summary>
internal sealed record PendingCommit(Guid EventId, PolicyRow DecidedOn, DecisionWrite Write)
{
    public TaskCompletionSource<CommitResult> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// A few committer loops per silo. Each takes every commit waiting when it becomes free (up to
/// <see cref="MaxEventsPerTransaction"/>, one per event) and hands them to one transaction, so events that decide at
/// the same moment share its round trip, trigger runs and WAL flush. A lone commit is not held back: an idle loop takes
/// it at once. Within a transaction the events are locked in Guid order, the same order in every loop, so two shared
/// transactions cannot wait for each other's rows in a cycle (the other paths lock one row at a time).
/// </summary>
internal sealed class SharedCommitter(int committers, Func<IReadOnlyList<PendingCommit>, Task> commitTogether)
{
    // Fewer than the data source's pool (32), so decisions under the lock, fences and queries always find a connection.
    public const int DefaultCommitters = 4;

    // Bounds a transaction's lock set and its batch (about 30 parameters per event).
    private const int MaxEventsPerTransaction = 64;

    private readonly Channel<PendingCommit> waiting = Channel.CreateUnbounded<PendingCommit>();
    private readonly object startLock = new();
    private Task[]? loops;
    private long sharedTransactions;

    public long SharedTransactions => Interlocked.Read(ref sharedTransactions);

    public Task<CommitResult> CommitAsync(PendingCommit commit)
    {
        // Started on first use (Task.Run: outside any grain's scheduler); they wait on the channel for the silo's
        // lifetime without holding a connection.
        if (Volatile.Read(ref loops) is null)
        {
            lock (startLock)
            {
                loops ??= Enumerable.Range(0, committers).Select(_ => Task.Run(() => RunAsync(commitTogether))).ToArray();
            }
        }

        waiting.Writer.TryWrite(commit);
        return commit.Answer.Task;
    }

    private async Task RunAsync(Func<IReadOnlyList<PendingCommit>, Task> commit)
    {
        var together = new List<PendingCommit>();
        var later = new List<PendingCommit>();
        while (await waiting.Reader.WaitToReadAsync())
        {
            together.Clear();
            later.Clear();
            while (together.Count < MaxEventsPerTransaction && waiting.Reader.TryRead(out var next))
            {
                // A second commit of the same event (a second activation on this silo) waits for its own transaction.
                (together.Any(commit => commit.EventId == next.EventId) ? later : together).Add(next);
            }

            if (together.Count == 0)
            {
                continue;
            }

            together.Sort((left, right) => left.EventId.CompareTo(right.EventId));
            if (together.Count > 1)
            {
                Interlocked.Increment(ref sharedTransactions);
            }

            await commit(together.ToList());
            foreach (var alone in later)
            {
                await commit([alone]);
            }
        }
    }
}
