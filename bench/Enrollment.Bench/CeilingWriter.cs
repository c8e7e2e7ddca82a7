using System.Diagnostics;
using System.Threading.Channels;
using Npgsql;
using OrleansEnrollment.Database;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Bench;

/// <summary>
/// Writes enrollments the way our pipeline does, minus the grains and the bus: requests of an event wait while a group
/// of it is being written, as in its grain's queue, and become its next group (at most
/// <see cref="DecisionWriter.MaxGroupSize"/>); four committer loops each take every event waiting when they become free
/// (at most 64) into one transaction of one round trip, locking the events in Guid order, as the silo's shared
/// committer does. A request is answered when its transaction commits; its dispatch mark and its notification follow
/// in their own batches (<see cref="CeilingDispatchMarks"/>, <see cref="CeilingNotifications"/>), as after a real
/// commit. On the same data source settings as the silo's (auto-prepared statements, a pool of 32).
/// </summary>
public sealed class CeilingWriter : IAsyncDisposable
{
    // SharedCommitter's DefaultCommitters and MaxEventsPerTransaction (internal to the grains' project).
    private const int Committers = 4;
    private const int MaxEventsPerTransaction = 64;

    private readonly NpgsqlDataSource dataSource;
    private readonly Channel<CeilingEvent> ready = Channel.CreateUnbounded<CeilingEvent>();
    private readonly Task[] committers;
    private readonly CeilingDispatchMarks marks;
    private readonly CeilingNotifications notifications;

    public CeilingWriter(string connectionString)
    {
        dataSource = EnrollmentDataSource.Create(connectionString);
        marks = new CeilingDispatchMarks(dataSource);
        notifications = new CeilingNotifications(dataSource);
        committers = Enumerable.Range(0, Committers).Select(_ => Task.Run(CommitLoopAsync)).ToArray();
    }

    public StageTally Commits { get; } = new("commits (lock as expected, enrollments, audit, outbox, row read back)");

    public StageTally Marks => marks.Tally;

    public StageTally Notifications => notifications.Tally;

    /// <summary>Mails the notification statement found due (none expected: the bench's users have no account).</summary>
    public long Mails => notifications.Mails;

    public NpgsqlDataSource DataSource => dataSource;

    public Task<RequestOutcome> EnrollAsync(CeilingEvent evt, Guid userId)
    {
        var request = new CeilingRequest(userId);
        if (evt.Enqueue(request))
        {
            ready.Writer.TryWrite(evt);
        }

        return request.Answer.Task;
    }

    /// <summary>Lets every mark and notification handed in so far be written, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        ready.Writer.TryComplete();
        await Task.WhenAll(committers);
        await marks.CompleteAsync();
        await notifications.CompleteAsync();
        await dataSource.DisposeAsync();
    }

    private async Task CommitLoopAsync()
    {
        var events = new List<CeilingEvent>(MaxEventsPerTransaction);
        while (await ready.Reader.WaitToReadAsync())
        {
            events.Clear();
            // An event is in the channel at most once (it is handed back only after its group was written), so these
            // are distinct events.
            while (events.Count < MaxEventsPerTransaction && ready.Reader.TryRead(out var evt))
            {
                events.Add(evt);
            }

            if (events.Count == 0)
            {
                continue;
            }

            events.Sort((left, right) => left.Id.CompareTo(right.Id));
            var groups = events.Select(evt => CeilingGroup.Decide(evt, evt.TakeGroup(DecisionWriter.MaxGroupSize))).Where(group => group.Count > 0).ToList();
            if (groups.Count > 0)
            {
                await CommitAsync(groups);
            }

            foreach (var evt in events)
            {
                if (evt.ContinueWriting())
                {
                    ready.Writer.TryWrite(evt);
                }
            }
        }
    }

    private async Task CommitAsync(List<CeilingGroup> groups)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using (var connection = await dataSource.OpenConnectionAsync())
            await using (var batch = new NpgsqlBatch(connection))
            {
                // No NpgsqlTransaction: the statements of a batch run as one implicit transaction, as the store's.
                CeilingStatements.AddTo(batch, groups);
                await using var reader = await batch.ExecuteReaderAsync();
                var read = 0;
                do
                {
                    // only the rows read back have columns, one per event, in order
                    while (reader.FieldCount > 0 && await reader.ReadAsync())
                    {
                        groups[read++].Event.Read(reader);
                    }
                }
                while (await reader.NextResultAsync());
            }

            Commits.Done(groups.Sum(group => group.Count), started);
        }
        catch (Exception exception)
        {
            Commits.Failed(exception);
            foreach (var group in groups)
            {
                group.Requests.ForEach(request => request.Answer.TrySetException(exception));
                await ReloadAsync(group.Event);
            }

            return;
        }

        foreach (var group in groups)
        {
            group.AnswerCommitted();
            marks.Add(group.Event.Id, group.Sequences);
            notifications.Add(group.Notifications);
        }
    }

    // Whatever happened to the transaction, the event's next group is decided on its row as it is now.
    private async Task ReloadAsync(CeilingEvent evt)
    {
        try
        {
            await evt.LoadAsync(dataSource);
        }
        catch (Exception exception)
        {
            // The database is unreachable: the next commit is refused or fails too, and is counted.
            Commits.Failed(exception);
        }
    }
}
