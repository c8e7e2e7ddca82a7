using OrleansEnrollment.DomainEvents;

namespace OrleansEnrollment.Enrollments;

/// <summary>The domain event each kind of transition produces.</summary>
public static class TransitionEvents
{
    public static EnrollmentEvent For(Enrollment after, Enrollment? before, long sequence, DateTimeOffset at)
    {
        var id = Guid.CreateVersion7(at);
        return (before?.Status, after.Status) switch
        {
            (null, EnrollmentStatus.Confirmed) => new EnrollmentConfirmed
            {
                Id = id, EventId = after.EventId, EnrollmentId = after.Id, UserId = after.UserId, Sequence = sequence, OccurredAt = at,
            },
            (null, EnrollmentStatus.Waitlisted) => new EnrollmentWaitlisted
            {
                Id = id, EventId = after.EventId, EnrollmentId = after.Id, UserId = after.UserId, Sequence = sequence, OccurredAt = at,
                Position = after.WaitlistPosition!.Value, Rank = after.WaitlistRank ?? 0,
            },
            ({ } previous, EnrollmentStatus.Cancelled) => new EnrollmentCancelled
            {
                Id = id, EventId = after.EventId, EnrollmentId = after.Id, UserId = after.UserId, Sequence = sequence, OccurredAt = at,
                PreviousStatus = previous,
            },
            (EnrollmentStatus.Waitlisted, EnrollmentStatus.Confirmed) => new EnrollmentPromoted
            {
                Id = id, EventId = after.EventId, EnrollmentId = after.Id, UserId = after.UserId, Sequence = sequence, OccurredAt = at,
                FromPosition = before!.WaitlistPosition!.Value,
            },
            (EnrollmentStatus.Confirmed, EnrollmentStatus.CheckedIn) => new EnrollmentCheckedIn
            {
                Id = id, EventId = after.EventId, EnrollmentId = after.Id, UserId = after.UserId, Sequence = sequence, OccurredAt = at,
            },
            (EnrollmentStatus.CheckedIn, EnrollmentStatus.Attended) => new EnrollmentAttended
            {
                Id = id, EventId = after.EventId, EnrollmentId = after.Id, UserId = after.UserId, Sequence = sequence, OccurredAt = at,
            },
            var (from, to) => throw new InvalidOperationException($"No transition from {from?.ToName() ?? "nothing"} to {to.ToName()}."),
        };
    }
}
