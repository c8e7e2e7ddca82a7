namespace OrleansEnrollment.Enrollments;

/// <summary>
/// The single decider for one event (the grain key is the event id): every enrollment decision for the
/// event is taken here, one at a time, and committed to PostgreSQL before the caller is answered.
/// </summary>
[Alias("IEventCapacityGrain")]
public interface IEventCapacityGrain : IGrainWithGuidKey
{
    /// <summary>
    /// Enrolls <paramref name="userId"/>: confirmed while seats are free, else waitlisted (if the policy keeps
    /// a waitlist), else rejected as full. Enrolling again returns the first enrollment unchanged.
    /// </summary>
    /// <param name="requestId">The caller's idempotency key, recorded in the audit trail.</param>
    [Alias("Enroll")]
    Task<EnrollmentResult> Enroll(Guid userId, Guid requestId);

    /// <summary>The user's current enrollment in this event, or null.</summary>
    [Alias("GetEnrollment")]
    Task<Enrollment?> GetEnrollment(Guid userId);

    /// <summary>Seats and waitlist at a glance, or null for an unknown event.</summary>
    [Alias("GetSummary")]
    Task<EventCapacitySummary?> GetSummary();

    /// <summary>
    /// Replaces the event's policy (an admin action). Lowering the capacity below the active count evicts nobody; the
    /// event then simply counts as full. Returns the new summary, or null for an unknown event.
    /// </summary>
    [Alias("ChangePolicy")]
    Task<EventCapacitySummary?> ChangePolicy(EnrollmentPolicy policy);

    /// <summary>
    /// Emits again, in commit order, the event's domain events that the bus has not confirmed. Called by the outbox
    /// relay after a crash or a failed emit; harmless at any time, since consumers de-duplicate.
    /// </summary>
    [Alias("DispatchPendingEvents")]
    Task DispatchPendingEvents();
}
