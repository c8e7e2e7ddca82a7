using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Telemetry;

/// <summary>The <c>outcome</c> tag of <see cref="EnrollmentTelemetry.DecisionsCounter"/>: what the caller was told.</summary>
public static class DecisionOutcome
{
    public const string Confirmed = "confirmed";
    public const string Waitlisted = "waitlisted";
    public const string Rejected = "rejected";
    public const string AlreadyEnrolled = "already_enrolled";
    public const string EventNotFound = "event_not_found";
    public const string OutsideWindow = "outside_window";
    public const string Failed = "failed";

    public static string Of(EnrollmentResult result) => result.Outcome switch
    {
        EnrollmentOutcome.Enrolled => result.IsWaitlisted ? Waitlisted : Confirmed,
        EnrollmentOutcome.AlreadyEnrolled => AlreadyEnrolled,
        EnrollmentOutcome.EventFull => Rejected,
        EnrollmentOutcome.NotOpenYet or EnrollmentOutcome.Closed => OutsideWindow,
        _ => EventNotFound,
    };
}
