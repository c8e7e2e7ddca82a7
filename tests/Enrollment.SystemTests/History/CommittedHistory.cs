using Npgsql;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Tests.History;

/// <summary>What the database committed for the run's events: every enrollment and every audit row, in commit order.</summary>
public sealed class CommittedHistory
{
    private CommittedHistory(List<StoredEnrollment> enrollments, List<AuditRow> audit)
    {
        Enrollments = enrollments.ToDictionary(enrollment => enrollment.Id);
        Audit = audit;
        AuditByRequest = audit.Where(row => row.RequestId is not null).ToLookup(row => row.RequestId!.Value);
        AuditByEnrollment = audit.ToLookup(row => row.EnrollmentId);
    }

    public IReadOnlyDictionary<Guid, StoredEnrollment> Enrollments { get; }

    /// <summary>Every audit row, in commit order (each event's rows are written under its policy row lock).</summary>
    public IReadOnlyList<AuditRow> Audit { get; }

    public ILookup<Guid, AuditRow> AuditByRequest { get; }

    public ILookup<Guid, AuditRow> AuditByEnrollment { get; }

    public sealed record StoredEnrollment(Guid Id, Guid EventId, Guid UserId, EnrollmentStatus Status, int? WaitlistPosition, DateTimeOffset CreatedAt);

    /// <param name="ActorId">Who acted; null for the system's own steps (promotions), which carry the request id of the decision that caused them.</param>
    public sealed record AuditRow(long Id, Guid EnrollmentId, Guid EventId, EnrollmentStatus? From, EnrollmentStatus To, Guid? ActorId, Guid? RequestId, string Reason)
    {
        /// <summary>An offer that ended by itself at its deadline (the expiry poller's call, not one of the run's).</summary>
        public bool IsExpiry => From == EnrollmentStatus.Offered && To == EnrollmentStatus.Cancelled && ActorId is null && Reason == "offer expired";
    }

    public static async Task<CommittedHistory> ReadAsync(NpgsqlDataSource dataSource, IReadOnlyCollection<Guid> eventIds)
    {
        var enrollments = new List<StoredEnrollment>();
        await using (var command = dataSource.CreateCommand(
            "SELECT id, event_id, user_id, status, waitlist_position, created_at FROM enrollments WHERE event_id = ANY($1)"))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = eventIds.ToArray() });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                enrollments.Add(new StoredEnrollment(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), EnrollmentStatusNames.Parse(reader.GetString(3)),
                    reader.IsDBNull(4) ? null : reader.GetInt32(4), reader.GetFieldValue<DateTimeOffset>(5)));
            }
        }

        var audit = new List<AuditRow>();
        await using (var command = dataSource.CreateCommand(
            "SELECT id, enrollment_id, event_id, from_status, to_status, actor_id, request_id, reason FROM enrollment_transitions WHERE event_id = ANY($1) ORDER BY id"))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = eventIds.ToArray() });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                audit.Add(new AuditRow(reader.GetInt64(0), reader.GetGuid(1), reader.GetGuid(2),
                    reader.IsDBNull(3) ? null : EnrollmentStatusNames.Parse(reader.GetString(3)), EnrollmentStatusNames.Parse(reader.GetString(4)),
                    reader.IsDBNull(5) ? null : reader.GetGuid(5), reader.IsDBNull(6) ? null : reader.GetGuid(6), reader.GetString(7)));
            }
        }

        return new CommittedHistory(enrollments, audit);
    }

    /// <summary>The call's own audit rows: under its request id, with an actor (the system's promotions have none).</summary>
    public IEnumerable<AuditRow> OwnRowsOf(RecordedCall call) => AuditByRequest[call.RequestId].Where(row => row.ActorId is not null);

    /// <summary>Whether the enrollment ever was in this status (its audit rows say where it went, step by step).</summary>
    public bool WasEver(Guid enrollmentId, EnrollmentStatus status) => AuditByEnrollment[enrollmentId].Any(row => row.To == status);

    /// <summary>Whether the enrollment ended because its offer expired.</summary>
    public bool Expired(Guid enrollmentId) => AuditByEnrollment[enrollmentId].LastOrDefault()?.IsExpiry == true;
}
