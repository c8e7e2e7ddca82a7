using Npgsql;
using NpgsqlTypes;
using OrleansEnrollment.Database;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Catalog;

/// <summary>
/// Creates events, edits their details and lists them with their counters, read from the policy rows (no scan of
/// enrollments). The policy itself changes only through the event's grain, which decides by it; deleting an event too.
/// </summary>
public sealed class EventCatalog(NpgsqlDataSource dataSource)
{
    public const int MaxTitleLength = EventDetails.MaxTitleLength;

    public Task<EventInfo> CreateAsync(string title, DateTimeOffset startsAt, EnrollmentPolicy policy, CancellationToken cancellationToken = default) =>
        CreateAsync(new EventDetails(title, startsAt), policy, cancellationToken);

    public async Task<EventInfo> CreateAsync(EventDetails details, EnrollmentPolicy policy, CancellationToken cancellationToken = default)
    {
        details = Checked(details);
        if (policy.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(policy));
        }

        var id = Guid.CreateVersion7();
        await using var batch = dataSource.CreateBatch();
        var insertEvent = new NpgsqlBatchCommand(
            "INSERT INTO events (id, title, starts_at, ends_at, description, location, time_zone) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        {
            Parameters = { new NpgsqlParameter<Guid> { TypedValue = id } },
        };
        foreach (var parameter in DetailParameters(details))
        {
            insertEvent.Parameters.Add(parameter);
        }

        batch.BatchCommands.Add(insertEvent);
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
        return new EventInfo(id, details.Title, details.StartsAt, policy, 0, 0, details.Description, details.Location, details.EndsAt, details.TimeZone);
    }

    /// <summary>
    /// Replaces the event's details (all of them: a caller that edits some reads the others first). Returns the event as
    /// it now is, or null for an unknown event.
    /// </summary>
    public async Task<EventInfo?> UpdateDetailsAsync(Guid eventId, EventDetails details, CancellationToken cancellationToken = default)
    {
        details = Checked(details);
        await using var command = dataSource.CreateCommand(
            "UPDATE events SET title = $2, starts_at = $3, ends_at = $4, description = $5, location = $6, time_zone = $7 WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        foreach (var parameter in DetailParameters(details))
        {
            command.Parameters.Add(parameter);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken) == 0 ? null : await FindAsync(eventId, cancellationToken);
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

    private static EventDetails Checked(EventDetails details)
    {
        details = details.Normalized();
        if (details.Problems().FirstOrDefault() is { Key: { } field, Value: var problem })
        {
            throw new ArgumentException(problem, field);
        }

        return details;
    }

    /// <summary>Parameters for title, starts_at, ends_at, description, location and time_zone, in that order.</summary>
    private static IEnumerable<NpgsqlParameter> DetailParameters(EventDetails details) =>
    [
        new NpgsqlParameter<string> { TypedValue = details.Title },
        new NpgsqlParameter<DateTimeOffset> { TypedValue = details.StartsAt },
        new NpgsqlParameter { Value = (object?)details.EndsAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz },
        new NpgsqlParameter<string> { TypedValue = details.Description },
        new NpgsqlParameter<string> { TypedValue = details.Location },
        new NpgsqlParameter<string> { TypedValue = details.TimeZone },
    ];

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
                PolicyColumns.Read(reader, 9),
                reader.GetInt32(3),
                reader.GetInt32(4),
                Description: reader.GetString(5),
                Location: reader.GetString(6),
                EndsAt: reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
                TimeZone: reader.GetString(8)));
        }

        return events;
    }

    private static readonly string SelectEvents =
        $"""
        SELECT e.id, e.title, e.starts_at, p.active_count, p.waitlist_count,
               e.description, e.location, e.ends_at, e.time_zone, {PolicyColumns.Names("p")}
          FROM events e
          JOIN enrollment_policies p ON p.event_id = e.id
        """;
}
