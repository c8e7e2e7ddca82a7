namespace OrleansEnrollment.Outbox;

/// <summary>
/// Marks outbox rows dispatched for every bus bridge of a silo, coalescing: ids handed in while one UPDATE runs go
/// into the next one, so a thousand events each publishing a single domain event cost a handful of transactions
/// rather than a thousand. Each caller's task completes once its ids are marked (or fails with the UPDATE), so a
/// bridge still finishes a batch only after its rows are marked. A failed mark loses nothing: the rows stay
/// undispatched and the relay has them emitted again.
/// </summary>
public sealed class OutboxDispatchMarker(OutboxStore outbox)
{
    private readonly Lock gate = new();
    private List<Guid> pending = [];
    private TaskCompletionSource? pendingMarked;
    private bool marking;

    public Task MarkAsync(IReadOnlyCollection<Guid> domainEventIds)
    {
        if (domainEventIds.Count == 0)
        {
            return Task.CompletedTask;
        }

        lock (gate)
        {
            pending.AddRange(domainEventIds);
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
            List<Guid> ids;
            TaskCompletionSource marked;
            lock (gate)
            {
                if (pending.Count == 0)
                {
                    marking = false;
                    return;
                }

                (ids, pending) = (pending, []);
                (marked, pendingMarked) = (pendingMarked!, null);
            }

            try
            {
                await outbox.MarkDispatchedAsync(ids);
                marked.SetResult();
            }
            catch (Exception exception)
            {
                marked.SetException(exception);
            }
        }
    }
}
