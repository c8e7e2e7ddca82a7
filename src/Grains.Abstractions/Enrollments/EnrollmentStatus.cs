namespace OrleansEnrollment.Enrollments;

/// <summary>Where an enrollment stands. Stored and shown in snake_case (see <see cref="EnrollmentStatusNames"/>).</summary>
[GenerateSerializer]
[Alias("EnrollmentStatus")]
public enum EnrollmentStatus
{
    Confirmed = 0,
    Waitlisted = 1,
    CheckedIn = 2,
    Attended = 3,
    Cancelled = 4,

    /// <summary>A seat is held for a person from the waitlist until their offer's deadline: they accept or decline it.</summary>
    Offered = 5,
}

public static class EnrollmentStatusNames
{
    /// <summary>
    /// Active enrollments hold a seat: confirmed, checked in and attended all count against capacity, so checking
    /// someone in never frees their seat for a newcomer; so does an offer, which holds its seat until it is accepted,
    /// declined or expires.
    /// </summary>
    public static bool IsActive(this EnrollmentStatus status) =>
        status is EnrollmentStatus.Confirmed or EnrollmentStatus.CheckedIn or EnrollmentStatus.Attended or EnrollmentStatus.Offered;

    /// <summary>The snake_case name used in the database and on the API.</summary>
    public static string ToName(this EnrollmentStatus status) => status switch
    {
        EnrollmentStatus.Confirmed => "confirmed",
        EnrollmentStatus.Waitlisted => "waitlisted",
        EnrollmentStatus.CheckedIn => "checked_in",
        EnrollmentStatus.Attended => "attended",
        EnrollmentStatus.Cancelled => "cancelled",
        EnrollmentStatus.Offered => "offered",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown enrollment status."),
    };

    public static bool TryParse(string? name, out EnrollmentStatus status)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToName(), name, StringComparison.Ordinal))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }

    public static EnrollmentStatus Parse(string name) =>
        TryParse(name, out var status) ? status : throw new FormatException($"'{name}' is not an enrollment status.");

    public static IReadOnlyList<EnrollmentStatus> All { get; } = Enum.GetValues<EnrollmentStatus>();
}
