namespace OrleansEnrollment.Enrollments;

/// <summary>
/// An event's policy row as committed at one <see cref="Version"/>: its policy, the counters the triggers keep, and the
/// sequence of its last domain event. Decisions are taken on a row; a commit is accepted only while the locked row is
/// still exactly that one, so a decider that missed a change (a second activation, stale state) writes nothing.
/// </summary>
public sealed record PolicyRow(
    EnrollmentPolicy Policy, int ActiveCount, int WaitlistCount, int LastWaitlistPosition, long Version, long LastEventSequence);
