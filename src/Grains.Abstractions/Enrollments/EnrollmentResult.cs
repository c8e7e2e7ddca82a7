namespace OrleansEnrollment.Enrollments;

[GenerateSerializer]
[Alias("EnrollmentOutcome")]
public enum EnrollmentOutcome
{
    /// <summary>A new enrollment was committed: confirmed or waitlisted, see <see cref="EnrollmentResult.Enrollment"/>.</summary>
    Enrolled = 0,

    /// <summary>The user already holds an enrollment in this event; it is returned unchanged and nothing was written.</summary>
    AlreadyEnrolled = 1,

    /// <summary>The event is full and keeps no waitlist; nothing was written.</summary>
    EventFull = 2,

    /// <summary>No event has this id; nothing was written.</summary>
    EventNotFound = 3,

    /// <summary>The event's enrollment window has not opened yet; nothing was written.</summary>
    NotOpenYet = 4,

    /// <summary>The event's enrollment window has closed; nothing was written.</summary>
    Closed = 5,
}

/// <summary>The answer to an enrollment request. Failures that are part of the domain are values, not exceptions.</summary>
[GenerateSerializer, Immutable]
[Alias("EnrollmentResult")]
public sealed record EnrollmentResult([property: Id(0)] EnrollmentOutcome Outcome, [property: Id(1)] Enrollment? Enrollment)
{
    public const string EventFullTitle = "Event is full";
    public const string NotOpenYetTitle = "Enrollment has not opened yet";
    public const string ClosedTitle = "Enrollment is closed";

    public static EnrollmentResult Enrolled(Enrollment enrollment) => new(EnrollmentOutcome.Enrolled, enrollment);

    public static EnrollmentResult AlreadyEnrolled(Enrollment enrollment) => new(EnrollmentOutcome.AlreadyEnrolled, enrollment);

    public static EnrollmentResult EventFull { get; } = new(EnrollmentOutcome.EventFull, null);

    public static EnrollmentResult EventNotFound { get; } = new(EnrollmentOutcome.EventNotFound, null);

    public static EnrollmentResult NotOpenYet { get; } = new(EnrollmentOutcome.NotOpenYet, null);

    public static EnrollmentResult Closed { get; } = new(EnrollmentOutcome.Closed, null);

    public bool IsConfirmed => Enrollment?.Status == EnrollmentStatus.Confirmed;

    public bool IsWaitlisted => Enrollment?.Status == EnrollmentStatus.Waitlisted;
}
