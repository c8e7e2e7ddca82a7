using OrleansEnrollment.DomainEvents;

namespace OrleansEnrollment.Enrollments;

/// <summary>
/// Why an offered enrollment moved, where the statuses alone do not say which domain event it is: offered → cancelled
/// is a decline, an expiry or an admin's cancellation; offered → confirmed is an acceptance or a promotion.
/// </summary>
public enum TransitionCause
{
    Decision,
    OfferAccepted,
    OfferDeclined,
    OfferExpired,
}

/// <summary>The domain event each kind of transition produces.</summary>
public static class TransitionEvents
{
    public static EnrollmentEvent For(
        Enrollment after, Enrollment? before, long sequence, DateTimeOffset at, TransitionCause cause = TransitionCause.Decision, Guid? actorId = null)
    {
        var id = Guid.CreateVersion7(at);
        return (before?.Status, after.Status, cause) switch
        {
            (null, EnrollmentStatus.Confirmed, _) => new EnrollmentConfirmed
            {
                Id = id, EventId = after.EventId, EnrollmentId = after.Id, UserId = after.UserId, Sequence = sequence, OccurredAt = at,
            },
            (null, EnrollmentStatus.Waitlisted, _) => new EnrollmentWaitlisted
            {
                Id = id, EventId = after.EventId, EnrollmentId = after.Id, UserId = after.UserId, Sequence = sequence, OccurredAt = at,
                Position = after.WaitlistPosition!.Value, Rank = after.WaitlistRank ?? 0,
            },
            (EnrollmentStatus.Offered, EnrollmentStatus.Cancelled, TransitionCause.OfferDeclined) => new OfferDeclined
            {
                Id = id, EventId = after.EventId, EnrollmentId = after.Id, UserId = after.UserId, Sequence = sequence, OccurredAt = at,
            },
            (EnrollmentStatus.Offered, EnrollmentStatus.Cancelled, TransitionCause.OfferExpired) => new OfferExpired
            {
                Id = id, EventId = after.EventId, EnrollmentId = after.Id, UserId = after.UserId, Sequence = sequence, OccurredAt = at,
                ExpiredAt = before!.OfferExpiresAt!.Value,
            },
            ({ } previous, EnrollmentStatus.Cancelled, _) => new EnrollmentCancelled
            {
                Id = id, EventId = after.EventId, EnrollmentId = after.Id, UserId = after.UserId, Sequence = sequence, OccurredAt = at,
                PreviousStatus = previous, ActorId = actorId,
            },
            (EnrollmentStatus.Waitlisted, EnrollmentStatus.Offered, _) => new EnrollmentOffered
            {
                Id = id, EventId = after.EventId, EnrollmentId = after.Id, UserId = after.UserId, Sequence = sequence, OccurredAt = at,
                ExpiresAt = after.OfferExpiresAt!.Value, FromPosition = before!.WaitlistPosition!.Value,
            },
            (EnrollmentStatus.Offered, EnrollmentStatus.Confirmed, TransitionCause.OfferAccepted) => new OfferAccepted
            {
                Id = id, EventId = after.EventId, EnrollmentId = after.Id, UserId = after.UserId, Sequence = sequence, OccurredAt = at,
            },
            (EnrollmentStatus.Waitlisted or EnrollmentStatus.Offered, EnrollmentStatus.Confirmed, _) => new EnrollmentPromoted
            {
                Id = id, EventId = after.EventId, EnrollmentId = after.Id, UserId = after.UserId, Sequence = sequence, OccurredAt = at,
                FromPosition = before!.WaitlistPosition!.Value,
            },
            (EnrollmentStatus.Confirmed, EnrollmentStatus.CheckedIn, _) => new EnrollmentCheckedIn
            {
                Id = id, EventId = after.EventId, EnrollmentId = after.Id, UserId = after.UserId, Sequence = sequence, OccurredAt = at,
            },
            (EnrollmentStatus.CheckedIn, EnrollmentStatus.Attended, _) => new EnrollmentAttended
            {
                Id = id, EventId = after.EventId, EnrollmentId = after.Id, UserId = after.UserId, Sequence = sequence, OccurredAt = at,
            },
            var (from, to, _) => throw new InvalidOperationException($"No transition from {from?.ToName() ?? "nothing"} to {to.ToName()}."),
        };
    }
}
