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
    // small maps below about 125 bytes an enrollment, where records and three maps of references took about 275.
    private readonly Dictionary<Guid, LiveEnrollment> liveByUser;

    // enrollment id → user id, for the admin actions that name an enrollment
    private readonly Dictionary<Guid, Guid> userByEnrollmentId;

    // stored position → user id, in position order: the head is the next to get a seat
    private readonly SortedList<int, Guid> waiting;

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

        var verdict = EnrollmentRule.Decide(Policy, ActiveCount, LastWaitlistPosition);
        if (verdict.Kind == VerdictKind.RejectFull)
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

    /// <summary>Cancels a live confirmed or waiting enrollment, and gives any seat it frees to the head of the waitlist.</summary>
    public TransitionDecision DecideCancel(Guid enrollmentId, TransitionRequest request, DateTimeOffset at)
    {
        if (FindLiveById(enrollmentId) is not { } enrollment)
        {
            return TransitionDecision.NotFound("There is no live enrollment with this id in this event.");
        }

        if (enrollment.Status is not (EnrollmentStatus.Confirmed or EnrollmentStatus.Waitlisted))
        {
            return TransitionDecision.NotAllowed($"An enrollment that is {enrollment.Status.ToName()} cannot be cancelled.");
        }

        at = ToDatabasePrecision(at);
        var changes = new List<EnrollmentChange> { Move(enrollment, EnrollmentStatus.Cancelled, request, at, "cancelled", 1) };
        var activeAfter = ActiveCount - (enrollment.Status.IsActive() ? 1 : 0);
        changes.AddRange(PromotionsInto(Policy, activeAfter, skip: enrollment.Id, request, at, firstSequenceOffset: 2));
        return TransitionDecision.Accept(new DecisionWrite(changes), changes[0].After);
    }

    public TransitionDecision DecideCheckIn(Guid enrollmentId, TransitionRequest request, DateTimeOffset at) =>
        DecideStep(enrollmentId, EnrollmentStatus.Confirmed, EnrollmentStatus.CheckedIn, "checked in", request, at);

    public TransitionDecision DecideAttend(Guid enrollmentId, TransitionRequest request, DateTimeOffset at) =>
        DecideStep(enrollmentId, EnrollmentStatus.CheckedIn, EnrollmentStatus.Attended, "attended", request, at);

    /// <summary>An admin gives a free seat to a specific waiting enrollment, out of arrival order.</summary>
    public TransitionDecision DecidePromote(Guid enrollmentId, TransitionRequest request, DateTimeOffset at)
    {
        if (FindLiveById(enrollmentId) is not { } enrollment)
        {
            return TransitionDecision.NotFound("There is no live enrollment with this id in this event.");
        }

        if (enrollment.Status != EnrollmentStatus.Waitlisted)
        {
            return TransitionDecision.NotAllowed($"Only a waiting enrollment can be promoted; this one is {enrollment.Status.ToName()}.");
        }

        if (!HasFreeSeat)
        {
            return TransitionDecision.NotAllowed("No seat is free: raise the capacity or cancel a confirmed enrollment first.");
        }

        at = ToDatabasePrecision(at);
        var change = Move(enrollment, EnrollmentStatus.Confirmed, request, at, "promoted by an admin", 1);
        return TransitionDecision.Accept(new DecisionWrite([change]), change.After);
    }

    /// <summary>A new policy, and the waiting people it seats (in arrival order, up to the new capacity).</summary>
    public DecisionWrite DecidePolicy(EnrollmentPolicy policy, TransitionRequest request, DateTimeOffset at) =>
        new(PromotionsInto(policy, ActiveCount, skip: null, request, ToDatabasePrecision(at), firstSequenceOffset: 1).ToList(), policy);

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
            yield return Move(head, EnrollmentStatus.Confirmed, systemRequest, at, "a seat opened: promoted from the waitlist", offset++);
            activeCount++;
        }
    }

    private EnrollmentChange Move(Enrollment enrollment, EnrollmentStatus to, TransitionRequest request, DateTimeOffset at, string defaultReason, int sequenceOffset)
    {
        var after = enrollment with { Status = to, WaitlistRank = null };
        var reason = string.IsNullOrWhiteSpace(request.Reason) ? defaultReason : request.Reason.Trim();
        return new EnrollmentChange(
            after, enrollment.Status, reason, request.ActorId, request.RequestId, at,
            TransitionEvents.For(after, enrollment, LastEventSequence + sequenceOffset, at));
    }

    private void Index(Enrollment enrollment)
    {
        liveByUser[enrollment.UserId] = LiveEnrollment.From(enrollment);
        userByEnrollmentId[enrollment.Id] = enrollment.UserId;
        if (enrollment.Status == EnrollmentStatus.Waitlisted)
        {
            waiting[enrollment.WaitlistPosition!.Value] = enrollment.UserId;
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

    private static DateTimeOffset ToDatabasePrecision(DateTimeOffset at) => at.AddTicks(-(at.Ticks % TimeSpan.TicksPerMicrosecond));
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

    /// <summary>Full with no waitlist; nothing to write.</summary>
    public sealed record Rejected : EnrollmentDecision;

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
