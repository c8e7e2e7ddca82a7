using Npgsql;
using OrleansEnrollment.Database;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Catalog;

/// <summary>Creates events and lists them with their counters, read from the policy rows (no scan of enrollments).</summary>
public sealed class EventCatalog(NpgsqlDataSource dataSource)
{
    public const int MaxTitleLength = 200;

    public async Task<EventInfo> CreateAsync(string title, DateTimeOffset startsAt, EnrollmentPolicy policy, CancellationToken cancellationToken = default)
    {
        title = title.Trim();
        if (title.Length is 0 or > MaxTitleLength)
        {
            throw new ArgumentException($"An event title has 1 to {MaxTitleLength} characters.", nameof(title));
        }

        if (policy.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(policy));
        }

        var id = Guid.CreateVersion7();
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("INSERT INTO events (id, title, starts_at) VALUES ($1, $2, $3)")
        {
            Parameters =
            {
                new NpgsqlParameter<Guid> { TypedValue = id },
                new NpgsqlParameter<string> { TypedValue = title },
                new NpgsqlParameter<DateTimeOffset> { TypedValue = startsAt.ToUniversalTime() },
            },
        });
        var insertPolicy = new NpgsqlBatchCommand(
            $"INSERT INTO enrollment_policies (event_id, {PolicyColumns.Names()}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        {
            Parameters = { new NpgsqlParameter<Guid> { TypedValue = id } },
        };
        foreach (var parameter in PolicyColumns.Parameters(policy))
        {
            insertPolicy.Parameters.Add(parameter);
        }

        batch.BatchCommands.Add(insertPolicy);
        // A batch without a transaction runs as one implicit transaction: the event and its policy land together.
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return new EventInfo(id, title, startsAt.ToUniversalTime(), policy, 0, 0);
    }

    public async Task<IReadOnlyList<EventInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(SelectEvents + " ORDER BY e.starts_at, e.id");
        return await ReadAsync(command, cancellationToken);
    }

    public async Task<EventInfo?> FindAsync(Guid eventId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(SelectEvents + " WHERE e.id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        return (await ReadAsync(command, cancellationToken)).SingleOrDefault();
    }

    private static async Task<IReadOnlyList<EventInfo>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var events = new List<EventInfo>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new EventInfo(
                reader.GetGuid(0),
                reader.GetString(1),
                reader.GetFieldValue<DateTimeOffset>(2),
                PolicyColumns.Read(reader, 5),
                reader.GetInt32(3),
                reader.GetInt32(4)));
        }

        return events;
    }

    private static readonly string SelectEvents =
        $"""
        SELECT e.id, e.title, e.starts_at, p.active_count, p.waitlist_count, {PolicyColumns.Names("p")}
          FROM events e
          JOIN enrollment_policies p ON p.event_id = e.id
        """;
}
