namespace OrleansEnrollment.Enrollments;

/// <summary>
/// How <see cref="EventCapacityState"/> holds one live enrollment: a 40-byte value stored inline in its by-user map,
/// instead of an <see cref="Enrollment"/> object plus the references to it. The event id is the state's own, and the
/// user id is the map's key, so neither is repeated; <see cref="ToEnrollment"/> rebuilds the record when asked.
/// </summary>
internal readonly struct LiveEnrollment
{
    private readonly long createdAtUtcTicks;

    // 0 for none: only an offer has a deadline
    private readonly long offerExpiresAtUtcTicks;

    // 0 for none: stored positions are positive (a check constraint of migration 0002)
    private readonly int waitlistPosition;

    private LiveEnrollment(Guid id, EnrollmentStatus status, int waitlistPosition, long createdAtUtcTicks, long offerExpiresAtUtcTicks)
    {
        Id = id;
        Status = status;
        this.waitlistPosition = waitlistPosition;
        this.createdAtUtcTicks = createdAtUtcTicks;
        this.offerExpiresAtUtcTicks = offerExpiresAtUtcTicks;
    }

    public Guid Id { get; }

    public EnrollmentStatus Status { get; }

    public int? WaitlistPosition => waitlistPosition == 0 ? null : waitlistPosition;

    public static LiveEnrollment From(Enrollment enrollment) =>
        new(enrollment.Id, enrollment.Status, enrollment.WaitlistPosition ?? 0, enrollment.CreatedAt.UtcTicks, enrollment.OfferExpiresAt?.UtcTicks ?? 0);

    public Enrollment ToEnrollment(Guid eventId, Guid userId) =>
        new(Id, eventId, userId, Status, WaitlistPosition, new DateTimeOffset(createdAtUtcTicks, TimeSpan.Zero),
            OfferExpiresAt: offerExpiresAtUtcTicks == 0 ? null : new DateTimeOffset(offerExpiresAtUtcTicks, TimeSpan.Zero));
}
