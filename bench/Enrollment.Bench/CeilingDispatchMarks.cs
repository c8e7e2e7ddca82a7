using System.Threading.Channels;
using Npgsql;

namespace OrleansEnrollment.Bench;

/// <summary>
/// The ceiling's dispatch marks, coalesced as the silo's <c>OutboxDispatchMarker</c> coalesces the bridges' marks: one
/// UPDATE at a time, carrying every domain event id handed in while the previous one ran.
/// </summary>
public sealed class CeilingDispatchMarks
{
    private readonly NpgsqlDataSource dataSource;
    private readonly Channel<List<Guid>> waiting = Channel.CreateUnbounded<List<Guid>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task loop;

    public CeilingDispatchMarks(NpgsqlDataSource dataSource)
    {
        this.dataSource = dataSource;
        loop = Task.Run(RunAsync);
    }

    public StageTally Tally { get; } = new("dispatch marks (UPDATE outbox SET dispatched_at)");

    /// <summary>Marks these domain events dispatched, soon: the bridge's part once the bus has them.</summary>
    public void Add(List<Guid> domainEventIds) => waiting.Writer.TryWrite(domainEventIds);

    /// <summary>Marks what was handed in and stops.</summary>
    public async Task CompleteAsync()
    {
        waiting.Writer.TryComplete();
        await loop;
    }

    private async Task RunAsync()
    {
        var ids = new List<Guid>();
        while (await waiting.Reader.WaitToReadAsync())
        {
            ids.Clear();
            while (waiting.Reader.TryRead(out var more))
            {
                ids.AddRange(more);
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                await using var command = dataSource.CreateCommand("UPDATE outbox SET dispatched_at = now() WHERE id = ANY($1) AND dispatched_at IS NULL");
                command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ids.ToArray() });
                await command.ExecuteNonQueryAsync();
                Tally.Done(ids.Count, started);
            }
            catch (Exception exception)
            {
                // Left undispatched: the bench's settle wait then times out and the run reports it.
                Tally.Failed(exception);
            }
        }
    }
}
