using OrleansEnrollment.DomainEvents;

namespace OrleansEnrollment.Enrollments;

/// <summary>
/// One enrollment moving to a status (<see cref="From"/> null: a new enrollment), with what its audit row and domain
/// event say about it.
/// </summary>
public sealed record EnrollmentChange(
    Enrollment After, EnrollmentStatus? From, string Reason, Guid? ActorId, Guid? RequestId, DateTimeOffset At, EnrollmentEvent Event);

/// <summary>
/// Everything one decision writes, in one transaction: its changes in order and, for a policy change, the new policy
/// (written first, so the changes are checked against it).
/// </summary>
public sealed record DecisionWrite(IReadOnlyList<EnrollmentChange> Changes, EnrollmentPolicy? NewPolicy = null)
{
    public IReadOnlyList<EnrollmentEvent> Events => Changes.Select(change => change.Event).ToList();
}
