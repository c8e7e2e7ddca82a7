using Npgsql;

namespace OrleansEnrollment.Bench;

/// <summary>A newcomer waiting for the ceiling to write their enrollment, answered once it is committed.</summary>
public sealed record CeilingRequest(Guid UserId)
{
    public TaskCompletionSource<RequestOutcome> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// One event as the ceiling writes it, standing in for its grain: the policy row as the event's last commit left it
/// (what the next commit tells <c>lock_policy_as_expected</c> to expect, as the grain's committed row does), and the
/// requests waiting for the next group. At most one group per event is being written at a time, as with a grain.
/// </summary>
public sealed class CeilingEvent(Guid id)
{
    private readonly Lock gate = new();
    private List<CeilingRequest> waiting = [];
    private bool writing;

    public Guid Id => id;

    public int? Capacity { get; private set; }

    public bool HasWaitlist { get; private set; }

    public long Version { get; private set; }

    public int ActiveCount { get; private set; }

    public int WaitlistCount { get; private set; }

    public int LastWaitlistPosition { get; private set; }

    public long LastSequence { get; private set; }

    // The columns of the policy row this class keeps, then the event's last outbox sequence, as the store reads them back.
    private const string Select =
        """
        SELECT version, capacity, has_waitlist, active_count, waitlist_count, last_waitlist_position,
               (SELECT coalesce(max(sequence), 0) FROM outbox WHERE outbox.event_id = enrollment_policies.event_id)
          FROM enrollment_policies
        """;

    /// <summary>One event's row: the statement that loads an event first.</summary>
    public const string RowQuery = Select + " WHERE event_id = $1";

    /// <summary>Several events' rows, in the order of the array in $1: what a commit batch ends with.</summary>
    public const string RowsQuery =
        Select + " JOIN unnest($1::uuid[]) WITH ORDINALITY AS wanted(wanted_event_id, wanted_order) ON wanted_event_id = event_id ORDER BY wanted_order";

    /// <summary>Adds a request; true when the event must be handed to a committer (no group of it is being written).</summary>
    public bool Enqueue(CeilingRequest request)
    {
        lock (gate)
        {
            waiting.Add(request);
            if (writing)
            {
                return false;
            }

            writing = true;
            return true;
        }
    }

    /// <summary>Takes the next group: the oldest waiting requests, at most <paramref name="limit"/> (a grain's group bound).</summary>
    public List<CeilingRequest> TakeGroup(int limit)
    {
        lock (gate)
        {
            if (waiting.Count <= limit)
            {
                var all = waiting;
                waiting = [];
                return all;
            }

            var group = waiting.GetRange(0, limit);
            waiting.RemoveRange(0, limit);
            return group;
        }
    }

    /// <summary>After a commit: true when more requests wait (the event goes back to the committers), else it rests.</summary>
    public bool ContinueWriting()
    {
        lock (gate)
        {
            writing = waiting.Count > 0;
            return writing;
        }
    }

    /// <summary>Takes the row as a commit batch read it back, or as loaded; column order is <see cref="RowQuery"/>'s.</summary>
    public void Read(NpgsqlDataReader reader)
    {
        Version = reader.GetInt64(0);
        Capacity = reader.IsDBNull(1) ? null : reader.GetInt32(1);
        HasWaitlist = reader.GetBoolean(2);
        ActiveCount = reader.GetInt32(3);
        WaitlistCount = reader.GetInt32(4);
        LastWaitlistPosition = reader.GetInt32(5);
        LastSequence = reader.GetInt64(6);
    }

    /// <summary>Reads the row from the database: at the start, and after a failed commit (whose outcome it then shows).</summary>
    public async Task LoadAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand(RowQuery);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            throw new InvalidOperationException($"Event {id} has no policy row.");
        }

        Read(reader);
    }
}
