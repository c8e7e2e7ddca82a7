namespace OrleansEnrollment.Enrollments;

/// <summary>
/// Each call of <see cref="IEventCapacityGrain"/> as a pure decision for the <see cref="DecisionWriter"/>: what it
/// writes on a given state, and its answer read off that state once the decision is applied (so a waiting person's rank
/// counts exactly the people still waiting before them at that point).
/// </summary>
public static class CallDecisions
{
    public static Func<EventCapacityState, Decision<EnrollmentResult>> Enroll(EnrollmentRequest request) => current => current.Decide(request) switch
    {
        EnrollmentDecision.Admit admit => new(admit.Write, after => EnrollmentResult.Enrolled(after.Shown(admit.Enrollment))),
        EnrollmentDecision.Existing existing => new(null, after => EnrollmentResult.AlreadyEnrolled(after.Shown(existing.Enrollment))),
        EnrollmentDecision.OutsideWindow outside => new(null, _ => new EnrollmentResult(outside.Outcome, null)),
        _ => new(null, _ => EnrollmentResult.EventFull),
    };

    public static Func<EventCapacityState, Decision<TransitionResult>> CancelOwn(Guid userId, TransitionRequest request, DateTimeOffset at) =>
        Transition(current => current.FindLive(userId) is { } own
            ? current.DecideCancel(own.Id, request with { ActorId = userId }, at, byItsUser: true)
            : TransitionDecision.NotFound("You are not enrolled in this event."));

    public static Func<EventCapacityState, Decision<TransitionResult>> AcceptOffer(Guid userId, TransitionRequest request, DateTimeOffset at) =>
        Transition(current => current.DecideAccept(userId, request with { ActorId = userId }, at));

    public static Func<EventCapacityState, Decision<TransitionResult>> DeclineOffer(Guid userId, TransitionRequest request, DateTimeOffset at) =>
        Transition(current => current.DecideDecline(userId, request with { ActorId = userId }, at));

    /// <summary>Ends the offers past their deadline; the answer is how many ended.</summary>
    public static Func<EventCapacityState, Decision<int>> ExpireOffers(TransitionRequest request, DateTimeOffset at) => current =>
    {
        var write = current.DecideExpiry(request, at);
        var expired = write?.Changes.Count(change => change.Event is DomainEvents.OfferExpired) ?? 0;
        return new(write, _ => expired);
    };

    public static Func<EventCapacityState, Decision<TransitionResult>> Transition(Func<EventCapacityState, TransitionDecision> decide) => current =>
    {
        var decision = decide(current);
        return new(decision.Write, after => decision.Answer with { Enrollment = decision.Answer.Enrollment is { } e ? after.Shown(e) : null });
    };

    public static Func<EventCapacityState, Decision<EventCapacitySummary?>> ChangePolicy(EnrollmentPolicy policy, TransitionRequest request, DateTimeOffset at) =>
        current => new(current.DecidePolicy(policy, request, at), after => after.ToSummary());

    /// <summary>
    /// A change of the enrollment window made on the policy the state holds when the call is decided (closing or opening
    /// now), so it cannot undo a policy change decided just before it, as a read-modify-write from outside could.
    /// </summary>
    public static Func<EventCapacityState, Decision<EventCapacitySummary?>> ChangeWindow(
        Func<EnrollmentPolicy, EnrollmentPolicy> change, TransitionRequest request, DateTimeOffset at) =>
        current => new(current.DecidePolicy(change(current.Policy), request, at), after => after.ToSummary());

    public static Func<EventCapacityState, Decision<Enrollment?>> GetEnrollment(Guid userId) =>
        _ => new(null, after => after.FindLive(userId) is { } enrollment ? after.Shown(enrollment) : null);

    public static Func<EventCapacityState, Decision<EventCapacitySummary?>> GetSummary() => _ => new(null, after => after.ToSummary());
}
