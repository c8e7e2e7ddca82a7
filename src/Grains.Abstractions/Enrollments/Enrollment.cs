namespace OrleansEnrollment.Enrollments;

/// <summary>One person's place in one event, as committed to the database.</summary>
/// <param name="WaitlistPosition">
/// The arrival order on the waitlist: unique per event and never reused, so it is a stable FIFO key.
/// </param>
[GenerateSerializer, Immutable]
[Alias("Enrollment")]
public sealed record Enrollment(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid EventId,
    [property: Id(2)] Guid UserId,
    [property: Id(3)] EnrollmentStatus Status,
    [property: Id(4)] int? WaitlistPosition,
    [property: Id(5)] DateTimeOffset CreatedAt);
