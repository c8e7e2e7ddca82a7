namespace OrleansEnrollment.Enrollments;

/// <summary>One person's place in one event, as committed to the database.</summary>
/// <param name="WaitlistPosition">
/// The arrival order on the waitlist: unique per event and never reused, so it is a stable FIFO key. It stays on the
/// row after the enrollment leaves the waitlist, as history.
/// </param>
/// <param name="WaitlistRank">
/// While waiting, the place among the people still waiting (1 = next to get a seat): what users are shown. It moves
/// up as people ahead leave or are promoted. Set by the event's grain on its answers; null everywhere else.
/// </param>
/// <param name="OfferExpiresAt">For an offered enrollment, when its offer ends unless accepted.</param>
[GenerateSerializer, Immutable]
[Alias("Enrollment")]
public sealed record Enrollment(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid EventId,
    [property: Id(2)] Guid UserId,
    [property: Id(3)] EnrollmentStatus Status,
    [property: Id(4)] int? WaitlistPosition,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] int? WaitlistRank = null,
    [property: Id(7)] DateTimeOffset? OfferExpiresAt = null);
