using OrleansEnrollment.DomainEvents;

namespace OrleansEnrollment.Enrollments;

/// <summary>
/// Everything an event's grain needs to decide without asking the database: the policy, the counters, each live
/// enrollment and the waitlist in arrival order. Deciding is pure (nothing changes until <see cref="Apply"/>), so the
/// same decision can be replayed on fresh state. <see cref="Version"/> is the policy row's version this state was read
/// at (or has since committed), which the store compares under its row lock to detect a stale decider.
/// </summary>
public sealed class EventCapacityState
{
    // One entry per live enrollment, keyed by user (a user has at most one), holding a compact value: with the two
    // small maps below, about 125 bytes an enrollment (bench/README.md measures it).
    private readonly Dictionary<Guid, LiveEnrollment> liveByUser;

    // enrollment id → user id, for the admin actions that name an enrollment
    private readonly Dictionary<Guid, Guid> userByEnrollmentId;

    // stored position → user id, in position order: the head is the next to get a seat
    private readonly SortedList<int, Guid> waiting;

    // user id → deadline of each offer standing (few: offers hold seats)
    private readonly Dictionary<Guid, DateTimeOffset> offers = [];

    public EventCapacityState(
        Guid eventId, EnrollmentPolicy policy, int activeCount, int waitlistCount, int lastWaitlistPosition, long version,
        IEnumerable<Enrollment> liveEnrollments, long lastEventSequence = 0)
    {
        EventId = eventId;
        Policy = policy;
        ActiveCount = activeCount;
        WaitlistCount = waitlistCount;
        LastWaitlistPosition = lastWaitlistPosition;
        Version = version;
        LastEventSequence = lastEventSequence;
        // Sized once for what is loaded, so an activation does not carry the slack of repeated doubling.
        var count = liveEnrollments.TryGetNonEnumeratedCount(out var known) ? known : 0;
        liveByUser = new Dictionary<Guid, LiveEnrollment>(count);
        userByEnrollmentId = new Dictionary<Guid, Guid>(count);
        waiting = new SortedList<int, Guid>(Math.Min(count, waitlistCount));
        // The rows come in whatever order the table holds them; a SortedList fed out of order shifts its arrays on every
        // insert (quadratic for a long waitlist), so the waiting are indexed last, in position order.
        var waitingInArrivalOrder = new List<Enrollment>(Math.Min(count, waitlistCount));
        foreach (var enrollment in liveEnrollments)
        {
            if (enrollment.Status == EnrollmentStatus.Waitlisted)
            {
                waitingInArrivalOrder.Add(enrollment);
            }
            else
            {
                Index(enrollment);
            }
        }

        waitingInArrivalOrder.Sort((a, b) => a.WaitlistPosition!.Value.CompareTo(b.WaitlistPosition!.Value));
        foreach (var enrollment in waitingInArrivalOrder)
        {
            Index(enrollment);
        }
    }

    public Guid EventId { get; }

    public EnrollmentPolicy Policy { get; private set; }

    public int ActiveCount { get; private set; }

    public int WaitlistCount { get; private set; }

    public int LastWaitlistPosition { get; private set; }

    public long Version { get; private set; }

    /// <summary>The sequence number of the last domain event committed for this event (0 if none).</summary>
    public long LastEventSequence { get; private set; }

    public int LiveEnrollmentCount => liveByUser.Count;

    public bool HasFreeSeat => Policy.Capacity is null || ActiveCount < Policy.Capacity;

    /// <summary>The earliest deadline of the offers standing, or null when there is none.</summary>
    public DateTimeOffset? NextOfferDeadline => offers.Count == 0 ? null : offers.Values.Min();

    public Enrollment? FindLive(Guid userId) => liveByUser.TryGetValue(userId, out var live) ? live.ToEnrollment(EventId, userId) : null;

    public Enrollment? FindLiveById(Guid enrollmentId) => userByEnrollmentId.TryGetValue(enrollmentId, out var userId) ? FindLive(userId) : null;

    /// <summary>The enrollment as users see it: a waiting one carries its rank among the people still waiting.</summary>
    public Enrollment Shown(Enrollment enrollment) =>
        enrollment.Status == EnrollmentStatus.Waitlisted && enrollment.WaitlistPosition is { } position && waiting.IndexOfKey(position) is >= 0 and var index
            ? enrollment with { WaitlistRank = index + 1 }
            : enrollment with { WaitlistRank = null };

    public EventCapacitySummary ToSummary() => new(EventId, Policy, ActiveCount, WaitlistCount);

    /// <summary>The policy row this state stands for: the committed row while no uncommitted decision is applied.</summary>
    public PolicyRow ToPolicyRow() => new(Policy, ActiveCount, WaitlistCount, LastWaitlistPosition, Version, LastEventSequence);

    /// <summary>Decides a request to enroll against this state (including decisions applied but not yet committed).</summary>
    public EnrollmentDecision Decide(EnrollmentRequest request)
    {
        if (FindLive(request.UserId) is { } existing)
        {
            return new EnrollmentDecision.Existing(existing);
        }

        if (Policy.WindowRefusal(request.ReceivedAt) is { } outsideWindow)
        {
            return new EnrollmentDecision.OutsideWindow(outsideWindow);
        }

        var verdict = EnrollmentRule.Decide(Policy, ActiveCount, LastWaitlistPosition);
        if (verdict.Kind == VerdictKind.RejectFull || (verdict.Kind == VerdictKind.Waitlist && !Policy.WaitlistOpenAt(request.ReceivedAt)))
        {
            return new EnrollmentDecision.Rejected();
        }

        var status = verdict.Kind == VerdictKind.Confirm ? EnrollmentStatus.Confirmed : EnrollmentStatus.Waitlisted;
        var createdAt = ToDatabasePrecision(request.ReceivedAt);
        var enrollment = new Enrollment(Guid.CreateVersion7(createdAt), EventId, request.UserId, status, verdict.WaitlistPosition, createdAt);
        var reason = status == EnrollmentStatus.Waitlisted ? "enrolled; event full, added to the waitlist" : "enrolled";
        // a newcomer waits behind everyone already waiting
        var shown = status == EnrollmentStatus.Waitlisted ? enrollment with { WaitlistRank = WaitlistCount + 1 } : enrollment;
        var change = new EnrollmentChange(
            enrollment, null, reason, request.UserId, request.RequestId, createdAt, TransitionEvents.For(shown, null, LastEventSequence + 1, createdAt));
        return new EnrollmentDecision.Admit(enrollment, request, change);
    }

    /// <summary>
    /// Cancels a live confirmed, waiting or offered enrollment, and gives any seat it frees to the head of the waitlist.
    /// A person cancelling their own offer declines it.
    /// </summary>
    public TransitionDecision DecideCancel(Guid enrollmentId, TransitionRequest request, DateTimeOffset at, bool byItsUser = false)
    {
        if (FindLiveById(enrollmentId) is not { } enrollment)
        {
            return TransitionDecision.NotFound("There is no live enrollment with this id in this event.");
        }

        if (enrollment.Status is not (EnrollmentStatus.Confirmed or EnrollmentStatus.Waitlisted or EnrollmentStatus.Offered))
        {
            return TransitionDecision.NotAllowed($"An enrollment that is {enrollment.Status.ToName()} cannot be cancelled.");
        }

        return byItsUser && enrollment.Status == EnrollmentStatus.Offered
            ? Leave(enrollment, request, ToDatabasePrecision(at), "offer declined", TransitionCause.OfferDeclined)
            : Leave(enrollment, request, ToDatabasePrecision(at), "cancelled", TransitionCause.Decision);
    }

    /// <summary>The user takes the seat offered to them, before the offer's deadline.</summary>
    public TransitionDecision DecideAccept(Guid userId, TransitionRequest request, DateTimeOffset at)
    {
        if (FindLive(userId) is not { Status: EnrollmentStatus.Offered } enrollment)
        {
            return NoOffer(userId);
        }

        if (at >= enrollment.OfferExpiresAt)
        {
            return TransitionDecision.NotAllowed($"The offer expired at {enrollment.OfferExpiresAt:u}.");
        }

        var change = Move(enrollment, EnrollmentStatus.Confirmed, request, ToDatabasePrecision(at), "offer accepted", 1, TransitionCause.OfferAccepted);
        return TransitionDecision.Accept(new DecisionWrite([change]), change.After);
    }

    /// <summary>The user turns their offer down; the seat is offered to the next person waiting.</summary>
    public TransitionDecision DecideDecline(Guid userId, TransitionRequest request, DateTimeOffset at) =>
        FindLive(userId) is { Status: EnrollmentStatus.Offered } enrollment
            ? Leave(enrollment, request, ToDatabasePrecision(at), "offer declined", TransitionCause.OfferDeclined)
            : NoOffer(userId);

    // A conflict, not a missing resource: an offer that expired (and took its enrollment with it) is answered the same
    // way as one that never was, so a late click on "Accept" reads "too late", not "not found".
    private TransitionDecision NoOffer(Guid userId) => TransitionDecision.NotAllowed(FindLive(userId) is { } enrollment
        ? $"You hold no offer in this event; your enrollment is {enrollment.Status.ToName()}."
        : "You hold no offer in this event: it expired, was declined, or was never made.");

    /// <summary>
    /// Every offer whose deadline is at or before <paramref name="at"/> ends ("offer expired"), earliest deadline first,
    /// and the seats go to the next people waiting. Null when no offer has expired.
    /// </summary>
    public DecisionWrite? DecideExpiry(TransitionRequest request, DateTimeOffset at)
    {
        var expired = offers.Where(offer => offer.Value <= at)
            .Select(offer => FindLive(offer.Key)!)
            .OrderBy(enrollment => enrollment.OfferExpiresAt).ThenBy(enrollment => enrollment.WaitlistPosition)
            .ToList();
        if (expired.Count == 0)
        {
            return null;
        }

        at = ToDatabasePrecision(at);
        var system = request with { ActorId = null, Reason = null };
        var changes = expired.Select((enrollment, index) =>
            Move(enrollment, EnrollmentStatus.Cancelled, system, at, "offer expired", index + 1, TransitionCause.OfferExpired)).ToList();
        changes.AddRange(PromotionsInto(Policy, ActiveCount - expired.Count, skip: null, request, at, firstSequenceOffset: changes.Count + 1));
        return new DecisionWrite(changes);
    }

    private TransitionDecision Leave(Enrollment enrollment, TransitionRequest request, DateTimeOffset at, string reason, TransitionCause cause)
    {
        var changes = new List<EnrollmentChange> { Move(enrollment, EnrollmentStatus.Cancelled, request, at, reason, 1, cause) };
        var activeAfter = ActiveCount - (enrollment.Status.IsActive() ? 1 : 0);
        changes.AddRange(PromotionsInto(Policy, activeAfter, skip: enrollment.Id, request, at, firstSequenceOffset: 2));
        return TransitionDecision.Accept(new DecisionWrite(changes), changes[0].After);
    }

    public TransitionDecision DecideCheckIn(Guid enrollmentId, TransitionRequest request, DateTimeOffset at) =>
        DecideStep(enrollmentId, EnrollmentStatus.Confirmed, EnrollmentStatus.CheckedIn, "checked in", request, at);

    public TransitionDecision DecideAttend(Guid enrollmentId, TransitionRequest request, DateTimeOffset at) =>
        DecideStep(enrollmentId, EnrollmentStatus.CheckedIn, EnrollmentStatus.Attended, "attended", request, at);

    /// <summary>
    /// An admin gives a seat now to a specific waiting enrollment, out of arrival order. A freed seat never stays free
    /// while people wait, so the event is full: the capacity is raised to one more than the seats held (by one, unless it
    /// was lowered below them) in the same decision, and the audit row says so. An offered enrollment is confirmed on the
    /// seat it already holds.
    /// </summary>
    public TransitionDecision DecidePromote(Guid enrollmentId, TransitionRequest request, DateTimeOffset at)
    {
        if (FindLiveById(enrollmentId) is not { } enrollment)
        {
            return TransitionDecision.NotFound("There is no live enrollment with this id in this event.");
        }

        if (enrollment.Status is not (EnrollmentStatus.Waitlisted or EnrollmentStatus.Offered))
        {
            return TransitionDecision.NotAllowed($"Only a waiting or offered enrollment can be promoted; this one is {enrollment.Status.ToName()}.");
        }

        at = ToDatabasePrecision(at);
        var why = string.IsNullOrWhiteSpace(request.Reason) ? null : request.Reason.Trim();
        if (enrollment.Status == EnrollmentStatus.Offered || HasFreeSeat)
        {
            var onItsSeat = Move(enrollment, EnrollmentStatus.Confirmed, request with { Reason = null }, at, Reasoned("promoted by an admin", why), 1);
            return TransitionDecision.Accept(new DecisionWrite([onItsSeat]), onItsSeat.After);
        }

        // One seat more than are held: after a lowered capacity (which evicts nobody) more seats are held than it says.
        var raised = Policy with { Capacity = Math.Max(Policy.Capacity!.Value, ActiveCount) + 1 };
        var reason = Reasoned($"promoted by an admin; capacity raised from {Policy.Capacity} to {raised.Capacity}", why);
        var change = Move(enrollment, EnrollmentStatus.Confirmed, request with { Reason = null }, at, reason, 1);
        return TransitionDecision.Accept(new DecisionWrite([change], raised), change.After);
    }

    /// <summary>
    /// A new policy, and the waiting people it seats (in arrival order, up to the new capacity). Back to automatic
    /// promotion, the offers standing are confirmed first.
    /// </summary>
    public DecisionWrite DecidePolicy(EnrollmentPolicy policy, TransitionRequest request, DateTimeOffset at)
    {
        at = ToDatabasePrecision(at);
        var changes = new List<EnrollmentChange>();
        if (policy.Promotion == PromotionMode.Automatic)
        {
            var system = request with { ActorId = null, Reason = null };
            foreach (var userId in offers.Keys.ToList())
            {
                changes.Add(Move(FindLive(userId)!, EnrollmentStatus.Confirmed, system, at, "promotion set to automatic: the offer is confirmed", changes.Count + 1));
            }
        }

        changes.AddRange(PromotionsInto(policy, ActiveCount, skip: null, request, at, firstSequenceOffset: changes.Count + 1));
        return new DecisionWrite(changes, policy);
    }

    /// <summary>Takes a committed (or about to be committed) decision into this state, so the next decision sees it.</summary>
    public void Apply(DecisionWrite write)
    {
        if (write.NewPolicy is { } policy)
        {
            Policy = policy;
        }

        foreach (var change in write.Changes)
        {
            if (change.From is not null && FindLiveById(change.After.Id) is { } before)
            {
                Unindex(before);
                Count(before, -1);
            }

            if (change.After.Status != EnrollmentStatus.Cancelled)
            {
                var after = change.After with { WaitlistRank = null };
                Index(after);
                Count(after, +1);
            }

            LastEventSequence = change.Event.Sequence;
        }
    }

    public void Apply(EnrollmentDecision.Admit admit) => Apply(admit.Write);

    /// <summary>Records the policy row version a commit produced, so the next commit expects it.</summary>
    public void MarkCommitted(long version) => Version = version;

    private TransitionDecision DecideStep(
        Guid enrollmentId, EnrollmentStatus from, EnrollmentStatus to, string reason, TransitionRequest request, DateTimeOffset at)
    {
        if (FindLiveById(enrollmentId) is not { } enrollment)
        {
            return TransitionDecision.NotFound("There is no live enrollment with this id in this event.");
        }

        if (enrollment.Status != from)
        {
            return TransitionDecision.NotAllowed(
                $"Only a {from.ToName()} enrollment can be marked {to.ToName()}; this one is {enrollment.Status.ToName()}.");
        }

        var change = Move(enrollment, to, request, ToDatabasePrecision(at), reason, 1);
        return TransitionDecision.Accept(new DecisionWrite([change]), change.After);
    }

    /// <summary>
    /// The heads of the waitlist that get the seats free under <paramref name="policy"/> with <paramref name="activeCount"/>
    /// taken: after every decision no seat stays free while someone waits.
    /// </summary>
    private IEnumerable<EnrollmentChange> PromotionsInto(
        EnrollmentPolicy policy, int activeCount, Guid? skip, TransitionRequest request, DateTimeOffset at, int firstSequenceOffset)
    {
        var offset = firstSequenceOffset;
        foreach (var userId in waiting.Values)
        {
            if (policy.Capacity is { } capacity && activeCount >= capacity)
            {
                yield break;
            }

            var head = FindLive(userId)!;
            if (head.Id == skip)
            {
                continue;
            }

            var systemRequest = request with { ActorId = null, Reason = null };
            yield return policy.Promotion == PromotionMode.Offer
                ? Move(head, EnrollmentStatus.Offered, systemRequest, at, "a seat opened: offered", offset++, offerExpiresAt: at + policy.ClaimWindow!.Value)
                : Move(head, EnrollmentStatus.Confirmed, systemRequest, at, "a seat opened: promoted from the waitlist", offset++);
            activeCount++;
        }
    }

    private EnrollmentChange Move(
        Enrollment enrollment, EnrollmentStatus to, TransitionRequest request, DateTimeOffset at, string defaultReason, int sequenceOffset,
        TransitionCause cause = TransitionCause.Decision, DateTimeOffset? offerExpiresAt = null)
    {
        // an offer's deadline stays on the row as history once the offer ends
        var after = enrollment with { Status = to, WaitlistRank = null, OfferExpiresAt = offerExpiresAt ?? enrollment.OfferExpiresAt };
        var reason = string.IsNullOrWhiteSpace(request.Reason) ? defaultReason : request.Reason.Trim();
        return new EnrollmentChange(
            after, enrollment.Status, reason, request.ActorId, request.RequestId, at,
            TransitionEvents.For(after, enrollment, LastEventSequence + sequenceOffset, at, cause, request.ActorId));
    }

    // The admin's words after what the system did, so the audit row says both.
    private static string Reasoned(string what, string? why) =>
        why is null ? what : $"{what}: {why}"[..Math.Min(what.Length + 2 + why.Length, TransitionRequest.MaxReasonLength)];

    private void Index(Enrollment enrollment)
    {
        liveByUser[enrollment.UserId] = LiveEnrollment.From(enrollment);
        userByEnrollmentId[enrollment.Id] = enrollment.UserId;
        if (enrollment.Status == EnrollmentStatus.Waitlisted)
        {
            waiting[enrollment.WaitlistPosition!.Value] = enrollment.UserId;
        }
        else if (enrollment.Status == EnrollmentStatus.Offered)
        {
            offers[enrollment.UserId] = enrollment.OfferExpiresAt!.Value;
        }
    }

    private void Unindex(Enrollment enrollment)
    {
        liveByUser.Remove(enrollment.UserId);
        userByEnrollmentId.Remove(enrollment.Id);
        if (enrollment.Status == EnrollmentStatus.Waitlisted)
        {
            waiting.Remove(enrollment.WaitlistPosition!.Value);
        }

        offers.Remove(enrollment.UserId);
    }

    // The constructor takes the counters from the database; from then on every applied change moves them.
    private void Count(Enrollment enrollment, int delta)
    {
        if (enrollment.Status.IsActive())
        {
            ActiveCount += delta;
        }
        else if (enrollment.Status == EnrollmentStatus.Waitlisted)
        {
            WaitlistCount += delta;
            if (delta > 0)
            {
                LastWaitlistPosition = Math.Max(LastWaitlistPosition, enrollment.WaitlistPosition!.Value);
            }
        }
    }

    internal static DateTimeOffset ToDatabasePrecision(DateTimeOffset at) => at.AddTicks(-(at.Ticks % TimeSpan.TicksPerMicrosecond));
}
/// <summary>One request to enroll, as the grain received it.</summary>
public sealed record EnrollmentRequest(Guid UserId, Guid RequestId, DateTimeOffset ReceivedAt);

/// <summary>What the state decided for one request to enroll.</summary>
public abstract record EnrollmentDecision
{
    private EnrollmentDecision()
    {
    }

    /// <summary>The user already holds a live enrollment; nothing to write.</summary>
    public sealed record Existing(Enrollment Enrollment) : EnrollmentDecision;

    /// <summary>Full with no waitlist (or its waitlist closed); nothing to write.</summary>
    public sealed record Rejected : EnrollmentDecision;

    /// <summary>Outside the event's enrollment window (<see cref="EnrollmentOutcome.NotOpenYet"/> or <see cref="EnrollmentOutcome.Closed"/>); nothing to write.</summary>
    public sealed record OutsideWindow(EnrollmentOutcome Outcome) : EnrollmentDecision;

    /// <summary>A new enrollment (confirmed or waitlisted) to commit with its audit row and its domain event.</summary>
    public sealed record Admit(Enrollment Enrollment, EnrollmentRequest Request, EnrollmentChange Change) : EnrollmentDecision
    {
        public EnrollmentEvent Event => Change.Event;

        public DecisionWrite Write => new([Change]);
    }
}

/// <summary>What the state decided for a cancel, check-in, attend or promote: a write and its answer, or a refusal.</summary>
public sealed record TransitionDecision(DecisionWrite? Write, TransitionResult Answer)
{
    public static TransitionDecision Accept(DecisionWrite write, Enrollment enrollment) => new(write, TransitionResult.Done(enrollment));

    public static TransitionDecision NotFound(string message) => new(null, TransitionResult.NotFound(message));

    public static TransitionDecision NotAllowed(string message) => new(null, TransitionResult.NotAllowed(message));
}
