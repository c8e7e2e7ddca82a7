using System.Runtime.CompilerServices;
using Npgsql;

namespace OrleansEnrollment.Enrollments;

/// <summary>One enrollment as an admin exports or prints it: who (name and address from the account), where they stand, when.</summary>
/// <param name="WaitlistRank">For a waiting enrollment, its place among the people still waiting (1 = next), as the roster shows it.</param>
/// <param name="CheckedInAt">When the person was checked in (from the audit trail); null if never.</param>
public sealed record ExportedEnrollment(
    Guid Id, string Name, string Email, EnrollmentStatus Status, int? WaitlistRank, DateTimeOffset EnrolledAt, DateTimeOffset? CheckedInAt);

/// <summary>
/// An event's enrollments with their people, read from the database for exports and the printable check-in list. Unlike
/// the roster (a read model that may be a moment behind, and pages), these read every committed row, so they suit a
/// file that must be complete. Read-only, like <see cref="EnrollmentQueries"/>.
/// </summary>
public sealed class EnrollmentExports(NpgsqlDataSource dataSource)
{
    public const string UnknownName = "(unknown user)";

    /// <summary>
    /// Every enrollment of the event (of one status, when given), in enrollment order (waiting people in position order
    /// when only they are asked for), streamed row by row as the database sends them.
    /// </summary>
    public async IAsyncEnumerable<ExportedEnrollment> StreamAsync(
        Guid eventId, EnrollmentStatus? status, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            {SelectWithPeople}
             WHERE e.event_id = $1 AND ($2::text IS NULL OR e.status = $2)
             ORDER BY CASE WHEN $2 = 'waitlisted' THEN e.waitlist_position END, e.created_at, e.id
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)status?.ToName() ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return Read(reader);
        }
    }

    /// <summary>
    /// The people expected at the door, by name: confirmed, checked in, attended, and offered (a seat is held for them;
    /// the list says so). Waiting and cancelled people are left out.
    /// </summary>
    public async Task<IReadOnlyList<ExportedEnrollment>> CheckInListAsync(Guid eventId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            {SelectWithPeople}
             WHERE e.event_id = $1 AND e.status IN ('confirmed', 'checked_in', 'attended', 'offered')
             ORDER BY lower(coalesce(u.display_name, '')), lower(coalesce(u.email, '')), e.id
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        var list = new List<ExportedEnrollment>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    private static ExportedEnrollment Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.IsDBNull(1) ? UnknownName : reader.GetString(1),
        reader.IsDBNull(2) ? "" : reader.GetString(2),
        EnrollmentStatusNames.Parse(reader.GetString(3)),
        reader.IsDBNull(4) ? null : (int)reader.GetInt64(4),
        reader.GetFieldValue<DateTimeOffset>(5),
        reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6));

    // Enrollments keep no foreign key to users, so a person whose account is gone still shows, nameless. The waiting rank
    // is computed over the waiting rows only; a status filter keeps either all of them or none.
    private const string SelectWithPeople =
        """
        SELECT e.id, u.display_name, u.email, e.status,
               CASE WHEN e.status = 'waitlisted'
                    THEN rank() OVER (PARTITION BY e.status = 'waitlisted' ORDER BY e.waitlist_position) END,
               e.created_at,
               (SELECT min(t.occurred_at) FROM enrollment_transitions t WHERE t.enrollment_id = e.id AND t.to_status = 'checked_in')
          FROM enrollments e
          LEFT JOIN users u ON u.id = e.user_id
        """;
}
