using System.Globalization;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.WebFrontend.Pages.Shared;

/// <summary>The sentence that tells a user where their enrollment stands.</summary>
public static class EnrollmentMessages
{
    /// <summary>Said wherever a waitlist position is shown, because it is a rank, not a ticket number.</summary>
    public const string RankExplained = "Your place among the people still waiting; it moves up as others leave.";

    /// <summary>The same, for admins reading the roster.</summary>
    public const string RosterRankExplained =
        "Waitlist position is the place among the people still waiting (1 = next); it moves up as others leave.";

    public static string For(Enrollment enrollment) => enrollment switch
    {
        // The rank is the place among the people still waiting, which is what a user cares about; the stored arrival
        // position only stands in where nobody worked the rank out.
        { Status: EnrollmentStatus.Waitlisted } => string.Create(
            CultureInfo.InvariantCulture, $"You are on the waitlist (position {enrollment.WaitlistRank ?? enrollment.WaitlistPosition})"),
        { Status: EnrollmentStatus.Offered, OfferExpiresAt: { } deadline } => $"A seat is held for you until {DisplayTime.Format(deadline)}",
        _ => For(enrollment.Status),
    };

    public static string For(EnrollmentStatus status) => status switch
    {
        EnrollmentStatus.Confirmed => "You are confirmed",
        EnrollmentStatus.Waitlisted => "You are on the waitlist",
        EnrollmentStatus.CheckedIn => "You are checked in",
        EnrollmentStatus.Attended => "You attended",
        EnrollmentStatus.Cancelled => "Your enrollment was cancelled",
        EnrollmentStatus.Offered => "A seat is held for you",
        _ => status.ToName(),
    };

    /// <summary>The waitlist position to show in a table: the rank while waiting, nothing otherwise (the stored one is history).</summary>
    public static int? ShownPosition(EnrollmentStatus status, int? rank, int? storedPosition) =>
        status == EnrollmentStatus.Waitlisted ? rank ?? storedPosition : null;
}
