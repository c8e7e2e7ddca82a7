using Npgsql;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Database;

/// <summary>Reads one of an event's enrollments from a row that starts with <see cref="Columns"/>.</summary>
internal static class EnrollmentRows
{
    public const string Columns = "id, user_id, status, waitlist_position, created_at, offer_expires_at";

    public static Enrollment Read(NpgsqlDataReader reader, Guid eventId) => new(
        reader.GetGuid(0),
        eventId,
        reader.GetGuid(1),
        EnrollmentStatusNames.Parse(reader.GetString(2)),
        reader.IsDBNull(3) ? null : reader.GetInt32(3),
        reader.GetFieldValue<DateTimeOffset>(4),
        OfferExpiresAt: reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5));
}
