using System.Globalization;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.WebFrontend.Pages.Shared;

/// <summary>The sentence that tells a user where their enrollment stands.</summary>
public static class EnrollmentMessages
{
    public static string For(Enrollment enrollment) => enrollment.Status switch
    {
        EnrollmentStatus.Confirmed => "You are confirmed",
        // The rank is the place among the people still waiting, which is what a user cares about; only the grain's
        // answers carry it, so elsewhere the stored arrival position stands in.
        EnrollmentStatus.Waitlisted => string.Create(
            CultureInfo.InvariantCulture, $"You are on the waitlist (position {enrollment.WaitlistRank ?? enrollment.WaitlistPosition})"),
        EnrollmentStatus.CheckedIn => "You are checked in",
        EnrollmentStatus.Attended => "You attended",
        EnrollmentStatus.Cancelled => "Your enrollment was cancelled",
        _ => enrollment.Status.ToName(),
    };
}
