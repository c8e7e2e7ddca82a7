using OrleansEnrollment.DomainEvents;

namespace OrleansEnrollment.Enrollments;

/// <summary>
/// Everything an event's grain needs to decide without asking the database: the policy, the counters and
/// each user's live enrollment. <see cref="Version"/> is the policy row's version this state was read at
/// (or has since committed), which the store compares under its row lock to detect a stale decider.
/// </summary>
public sealed class EventCapacityState
{
    private readonly Dictionary<Guid, Enrollment> liveByUser;

    public EventCapacityState(
        Guid eventId, EnrollmentPolicy policy, int activeCount, int waitlistCount, int lastWaitlistPosition, long version,
        IEnumerable<Enrollment> liveEnrollments, long lastEventSequence = 0)
    {
        LastEventSequence = lastEventSequence;
        EventId = eventId;
        Policy = policy;
        ActiveCount = activeCount;
        WaitlistCount = waitlistCount;
        LastWaitlistPosition = lastWaitlistPosition;
        Version = version;
        liveByUser = liveEnrollments.ToDictionary(enrollment => enrollment.UserId);
    }

    public Guid EventId { get; }

    public EnrollmentPolicy Policy { get; }

    public int ActiveCount { get; private set; }

    public int WaitlistCount { get; private set; }

    public int LastWaitlistPosition { get; private set; }

    public long Version { get; private set; }

    /// <summary>The sequence number of the last domain event committed for this event (0 if none).</summary>
    public long LastEventSequence { get; private set; }

    public int LiveEnrollmentCount => liveByUser.Count;

    public Enrollment? FindLive(Guid userId) => liveByUser.GetValueOrDefault(userId);

    public EventCapacitySummary ToSummary() => new(EventId, Policy, ActiveCount, WaitlistCount);

    /// <summary>Decides a request against this state (including decisions applied but not yet committed). Pure.</summary>
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
        // PostgreSQL keeps microseconds: the answer must equal the row it will later be read back from.
        var createdAt = request.ReceivedAt.AddTicks(-(request.ReceivedAt.Ticks % TimeSpan.TicksPerMicrosecond));
        var enrollment = new Enrollment(Guid.CreateVersion7(createdAt), EventId, request.UserId, status, verdict.WaitlistPosition, createdAt);
        return new EnrollmentDecision.Admit(enrollment, request, DomainEventOf(enrollment, LastEventSequence + 1));
    }

    private static EnrollmentEvent DomainEventOf(Enrollment enrollment, long sequence) => enrollment.Status switch
    {
        EnrollmentStatus.Confirmed => new EnrollmentConfirmed
        {
            Id = Guid.CreateVersion7(enrollment.CreatedAt), EventId = enrollment.EventId, EnrollmentId = enrollment.Id,
            UserId = enrollment.UserId, Sequence = sequence, OccurredAt = enrollment.CreatedAt,
        },
        EnrollmentStatus.Waitlisted => new EnrollmentWaitlisted
        {
            Id = Guid.CreateVersion7(enrollment.CreatedAt), EventId = enrollment.EventId, EnrollmentId = enrollment.Id,
            UserId = enrollment.UserId, Sequence = sequence, OccurredAt = enrollment.CreatedAt,
            Position = enrollment.WaitlistPosition!.Value,
        },
        _ => throw new InvalidOperationException($"A newcomer cannot start out {enrollment.Status}."),
    };

    /// <summary>Counts an admitted enrollment in, so the next decision sees it.</summary>
    public void Apply(EnrollmentDecision.Admit admit)
    {
        var enrollment = admit.Enrollment;
        liveByUser.Add(enrollment.UserId, enrollment);
        LastEventSequence = admit.Event.Sequence;
        if (enrollment.Status.IsActive())
        {
            ActiveCount++;
        }
        else if (enrollment.Status == EnrollmentStatus.Waitlisted)
        {
            WaitlistCount++;
            LastWaitlistPosition = enrollment.WaitlistPosition!.Value;
        }
    }

    /// <summary>Records the policy row version a commit produced, so the next commit expects it.</summary>
    public void MarkCommitted(long version) => Version = version;
}

/// <summary>One request to enroll, as the grain received it.</summary>
public sealed record EnrollmentRequest(Guid UserId, Guid RequestId, DateTimeOffset ReceivedAt);

/// <summary>What the state decided for one request.</summary>
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
    public sealed record Admit(Enrollment Enrollment, EnrollmentRequest Request, EnrollmentEvent Event) : EnrollmentDecision;
}
