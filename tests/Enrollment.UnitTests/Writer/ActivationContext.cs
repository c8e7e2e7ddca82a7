namespace OrleansEnrollment.Tests.Writer;

/// <summary>
/// Runs async test code on one thread, one piece at a time, as an Orleans activation runs a grain: every await's
/// continuation comes back to this context's queue. With a scripted store that only moves when the test says so,
/// every interleaving a test sets up is exactly the one that runs.
/// </summary>
internal sealed class ActivationContext : SynchronizationContext
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> work = new();
    private readonly SemaphoreSlim posted = new(0);

    public static void Run(Func<Task> test)
    {
        var previous = Current;
        var context = new ActivationContext();
        SetSynchronizationContext(context);
        try
        {
            var task = test();
            while (!task.IsCompleted)
            {
                if (!context.RunOne() && !context.posted.Wait(TimeSpan.FromSeconds(10)))
                {
                    throw new TimeoutException("The test is stuck: nothing left to run and the test has not finished.");
                }
            }

            task.GetAwaiter().GetResult();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }

    /// <summary>Lets everything queued run, including what it queues in turn, until nothing is left.</summary>
    public static async Task IdleAsync()
    {
        var context = (ActivationContext)Current!;
        for (var round = 0; round < 10_000 && context.Pending > 0; round++)
        {
            await Task.Yield();
        }
    }

    public override void Post(SendOrPostCallback d, object? state)
    {
        lock (work)
        {
            work.Enqueue((d, state));
        }

        posted.Release();
    }

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("An activation never blocks on another.");

    private int Pending
    {
        get
        {
            lock (work)
            {
                return work.Count;
            }
        }
    }

    private bool RunOne()
    {
        (SendOrPostCallback Callback, object? State) next;
        lock (work)
        {
            if (!work.TryDequeue(out next))
            {
                return false;
            }
        }

        posted.Wait(0);
        next.Callback(next.State);
        return true;
    }
}
