using System.Threading.Channels;
using Npgsql;
using OrleansEnrollment.Outbox;

namespace OrleansEnrollment.Bench;

/// <summary>
/// The ceiling's dispatch marks, coalesced as the silo's <c>OutboxDispatchMarker</c> coalesces the bridges' marks: one
/// DELETE of pending rows at a time (the silo's own <see cref="OutboxStore.MarkDispatchedAsync"/>), carrying every domain
/// event handed in while the previous one ran.
/// </summary>
public sealed class CeilingDispatchMarks
{
    private readonly OutboxStore outbox;
    private readonly Channel<(Guid EventId, List<long> Sequences)> waiting = Channel.CreateUnbounded<(Guid EventId, List<long> Sequences)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task loop;

    public CeilingDispatchMarks(NpgsqlDataSource dataSource)
    {
        outbox = new OutboxStore(dataSource);
        loop = Task.Run(RunAsync);
    }

    public StageTally Tally { get; } = new("dispatch marks (mark_events_dispatched: DELETE FROM outbox_pending)");

    /// <summary>Marks an event's domain events dispatched, soon: the bridge's part once the bus has them.</summary>
    public void Add(Guid eventId, List<long> sequences) => waiting.Writer.TryWrite((eventId, sequences));

    /// <summary>Marks what was handed in and stops.</summary>
    public async Task CompleteAsync()
    {
        waiting.Writer.TryComplete();
        await loop;
    }

    private async Task RunAsync()
    {
        var marks = new List<DispatchedEvent>();
        while (await waiting.Reader.WaitToReadAsync())
        {
            marks.Clear();
            while (waiting.Reader.TryRead(out var more))
            {
                marks.AddRange(more.Sequences.Select(sequence => new DispatchedEvent(more.EventId, sequence)));
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                await outbox.MarkDispatchedAsync(marks);
                Tally.Done(marks.Count, started);
            }
            catch (Exception exception)
            {
                // Left undispatched: the bench's settle wait then times out and the run reports it.
                Tally.Failed(exception);
            }
        }
    }
}
