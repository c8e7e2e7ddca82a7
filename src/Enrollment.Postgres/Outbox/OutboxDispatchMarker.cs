namespace OrleansEnrollment.Outbox;

/// <summary>
/// Marks domain events dispatched for every bus bridge of a silo, coalescing: those handed in while one DELETE runs go
/// into the next one, so a thousand events each publishing a single domain event cost a handful of transactions
/// rather than a thousand. Each caller's task completes once its events are marked (or fails with the DELETE), so a
/// bridge still finishes a batch only after its rows are marked. A failed mark loses nothing: the rows stay
/// pending and the relay has them emitted again.
/// </summary>
public sealed class OutboxDispatchMarker(OutboxStore outbox)
{
    private readonly Lock gate = new();
    private List<DispatchedEvent> pending = [];
    private TaskCompletionSource? pendingMarked;
    private bool marking;
    private long statements;
    private long markedEvents;

    /// <summary>DELETE statements that marked domain events dispatched so far, and how many events they marked.</summary>
    public (long Statements, long Marked) Totals => (Interlocked.Read(ref statements), Interlocked.Read(ref markedEvents));

    public Task MarkAsync(IReadOnlyCollection<DispatchedEvent> dispatched)
    {
        if (dispatched.Count == 0)
        {
            return Task.CompletedTask;
        }

        lock (gate)
        {
            pending.AddRange(dispatched);
            pendingMarked ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var marked = pendingMarked.Task;
            if (!marking)
            {
                marking = true;
                // off the caller's scheduler: a grain's turn must not run the loop that serves every other grain
                _ = Task.Run(MarkPendingAsync);
            }

            return marked;
        }
    }

    private async Task MarkPendingAsync()
    {
        while (true)
        {
            List<DispatchedEvent> marks;
            TaskCompletionSource marked;
            lock (gate)
            {
                if (pending.Count == 0)
                {
                    marking = false;
                    return;
                }

                (marks, pending) = (pending, []);
                (marked, pendingMarked) = (pendingMarked!, null);
            }

            try
            {
                await outbox.MarkDispatchedAsync(marks);
                Interlocked.Increment(ref statements);
                Interlocked.Add(ref markedEvents, marks.Count);
                marked.SetResult();
            }
            catch (Exception exception)
            {
                marked.SetException(exception);
            }
        }
    }
}
