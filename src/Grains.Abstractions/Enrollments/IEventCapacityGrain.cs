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

    /// <summary>
    /// Cancels the user's own live enrollment (confirmed or waitlisted). A freed seat goes to the head of the waitlist in
    /// the same transaction. A user who cancelled may enroll again, as a newcomer.
    /// </summary>
    [Alias("CancelOwn")]
    Task<TransitionResult> CancelOwn(Guid userId, TransitionRequest request);

    /// <summary>An admin cancels an enrollment (confirmed or waitlisted) on its user's behalf.</summary>
    [Alias("Cancel")]
    Task<TransitionResult> Cancel(Guid enrollmentId, TransitionRequest request);

    /// <summary>confirmed → checked_in.</summary>
    [Alias("CheckIn")]
    Task<TransitionResult> CheckIn(Guid enrollmentId, TransitionRequest request);

    /// <summary>checked_in → attended.</summary>
    [Alias("Attend")]
    Task<TransitionResult> Attend(Guid enrollmentId, TransitionRequest request);

    /// <summary>
    /// An admin gives a seat now to a waiting person, out of arrival order: when no seat is free the capacity is raised by
    /// one in the same decision (the audit row says so). An offered person is confirmed on the seat they hold.
    /// </summary>
    [Alias("Promote")]
    Task<TransitionResult> Promote(Guid enrollmentId, TransitionRequest request);

    /// <summary>The user takes the seat offered to them: offered → confirmed, before the offer's deadline.</summary>
    [Alias("AcceptOffer")]
    Task<TransitionResult> AcceptOffer(Guid userId, TransitionRequest request);

    /// <summary>The user turns the offer down: offered → cancelled, and the seat is offered to the next person waiting.</summary>
    [Alias("DeclineOffer")]
    Task<TransitionResult> DeclineOffer(Guid userId, TransitionRequest request);

    /// <summary>
    /// Ends every offer whose deadline has passed (offered → cancelled, "offer expired") and offers the seats to the next
    /// people waiting. Called by the offer-expiry poller of every silo; harmless at any time.
    /// </summary>
    /// <returns>How many offers expired.</returns>
    [Alias("ExpireOffers")]
    Task<int> ExpireOffers();

    /// <summary>The user's current enrollment in this event, or null.</summary>
    [Alias("GetEnrollment")]
    Task<Enrollment?> GetEnrollment(Guid userId);

    /// <summary>Seats and waitlist at a glance, or null for an unknown event.</summary>
    [Alias("GetSummary")]
    Task<EventCapacitySummary?> GetSummary();

    /// <summary>
    /// Replaces the event's policy (an admin action). Raising the capacity (or making it unlimited) promotes waiting
    /// people in arrival order into the new seats, in the same transaction; lowering it evicts nobody (the event counts
    /// as full until enough people leave); turning the waitlist off stops newcomers from joining it, while the people
    /// already waiting keep their places and still get seats as they free up. Returns the new summary, or null for an
    /// unknown event.
    /// </summary>
    [Alias("ChangePolicy")]
    Task<EventCapacitySummary?> ChangePolicy(EnrollmentPolicy policy, TransitionRequest request);

    /// <summary>
    /// Closes enrollment now: the policy's <see cref="EnrollmentPolicy.ClosesAt"/> becomes this moment (and an opening still
    /// ahead is dropped), so newcomers are refused with "Enrollment is closed"; cancelling stays possible. Decided on the
    /// policy the grain holds, like any policy change. Returns the new summary, or null for an unknown event.
    /// </summary>
    [Alias("CloseEnrollment")]
    Task<EventCapacitySummary?> CloseEnrollment(TransitionRequest request);

    /// <summary>
    /// Opens enrollment now and without an end: clears <see cref="EnrollmentPolicy.OpensAt"/> and
    /// <see cref="EnrollmentPolicy.ClosesAt"/> (the waitlist's own deadline stays). Returns the new summary, or null for
    /// an unknown event.
    /// </summary>
    [Alias("OpenEnrollment")]
    Task<EventCapacitySummary?> OpenEnrollment(TransitionRequest request);

    /// <summary>
    /// Deletes the event if nobody ever enrolled in it (no enrollment row of any status): after every call before it is
    /// committed and before any call after it is decided, in one transaction that holds the policy row lock, so an
    /// enrollment committed by anyone either lands first (and the delete is refused) or fails because the event is gone.
    /// The grain then deactivates; calls that were waiting behind the delete are answered as for an unknown event.
    /// </summary>
    [Alias("DeleteEvent")]
    Task<EventDeletionOutcome> DeleteEvent();

    /// <summary>
    /// Emits again, in commit order, the event's domain events that the bus has not confirmed. Called by the outbox
    /// relay after a crash or a failed emit; harmless at any time, since consumers de-duplicate.
    /// </summary>
    [Alias("DispatchPendingEvents")]
    Task DispatchPendingEvents();
}
