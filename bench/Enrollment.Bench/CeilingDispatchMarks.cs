using System.Threading.Channels;
using Npgsql;

namespace OrleansEnrollment.Bench;

/// <summary>
/// The ceiling's dispatch marks, coalesced as the silo's <c>OutboxDispatchMarker</c> coalesces the bridges' marks: one
/// DELETE of pending rows at a time, carrying every domain event handed in while the previous one ran.
/// </summary>
public sealed class CeilingDispatchMarks
{
    private readonly NpgsqlDataSource dataSource;
    private readonly Channel<(Guid EventId, List<long> Sequences)> waiting = Channel.CreateUnbounded<(Guid EventId, List<long> Sequences)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task loop;

    public CeilingDispatchMarks(NpgsqlDataSource dataSource)
    {
        this.dataSource = dataSource;
        loop = Task.Run(RunAsync);
    }

    public StageTally Tally { get; } = new("dispatch marks (DELETE FROM outbox_pending)");

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
        var eventIds = new List<Guid>();
        var sequences = new List<long>();
        while (await waiting.Reader.WaitToReadAsync())
        {
            eventIds.Clear();
            sequences.Clear();
            while (waiting.Reader.TryRead(out var more))
            {
                eventIds.AddRange(Enumerable.Repeat(more.EventId, more.Sequences.Count));
                sequences.AddRange(more.Sequences);
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                await using var command = dataSource.CreateCommand(
                    """
                    DELETE FROM outbox_pending p
                     USING unnest($1::uuid[], $2::bigint[]) AS d(event_id, sequence)
                     WHERE p.event_id = d.event_id AND p.sequence = d.sequence
                    """);
                command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = eventIds.ToArray() });
                command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = sequences.ToArray() });
                await command.ExecuteNonQueryAsync();
                Tally.Done(sequences.Count, started);
            }
            catch (Exception exception)
            {
                // Left undispatched: the bench's settle wait then times out and the run reports it.
                Tally.Failed(exception);
            }
        }
    }
}
