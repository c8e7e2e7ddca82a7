using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Tests.Writer;

/// <summary>
/// One event's committed rows, as the scripted store's database: the enrollments, their history in commit order, the
/// policy row's version. Every write is checked as the real database would (the rule replayed on the row it was decided
/// on, and the invariants after it); what breaks one is recorded in <see cref="Violations"/> for the test to assert on.
/// </summary>
internal sealed class InMemoryEvent(Guid eventId, EnrollmentPolicy policy)
{
    private readonly Dictionary<Guid, Enrollment> enrollments = [];
    private int lastWaitlistPosition;
    private long lastSequence;

    public Guid EventId => eventId;

    public EnrollmentPolicy Policy { get; private set; } = policy;

    public long Version { get; private set; }

    /// <summary>Every committed change, in commit order.</summary>
    public List<EnrollmentChange> History { get; } = [];

    public List<string> Violations { get; } = [];

    public IEnumerable<Enrollment> Live => enrollments.Values.Where(e => e.Status != EnrollmentStatus.Cancelled);

    public int Active => Live.Count(e => e.Status.IsActive());

    public int Waiting => Live.Count(e => e.Status == EnrollmentStatus.Waitlisted);

    public PolicyRow Row => new(Policy, Active, Waiting, lastWaitlistPosition, Version, lastSequence);

    public EventCapacityState Load() => new(eventId, Policy, Active, Waiting, lastWaitlistPosition, Version, Live.ToList(), lastSequence);

    /// <summary>Writes a group decided on <paramref name="decidedOn"/>: refused, writing nothing, unless the row is still that one and the rule agrees.</summary>
    public CommitResult Commit(PolicyRow decidedOn, DecisionWrite write)
    {
        if (decidedOn != Row)
        {
            return new CommitResult.Refused(RefusalReasons.StaleState, $"decided on version {decidedOn.Version}, the row is at {Version}");
        }

        if (DecisionReplay.FindDisagreement(decidedOn, write) is { } disagreement)
        {
            return new CommitResult.Refused(RefusalReasons.RuleReplay, disagreement);
        }

        Apply(write);
        return new CommitResult.Committed(Row);
    }

    /// <summary>What a fence does: the version moves, so nothing decided on an older row can commit.</summary>
    public void Fence() => Version++;

    private void Apply(DecisionWrite write)
    {
        var activeBefore = Active;
        if (write.NewPolicy is { } newPolicy)
        {
            Policy = newPolicy;
        }

        foreach (var change in write.Changes)
        {
            var before = enrollments.GetValueOrDefault(change.After.Id);
            if (change.From != before?.Status)
            {
                Violations.Add($"enrollment {change.After.Id} moved from {change.From?.ToName() ?? "nothing"} but was {before?.Status.ToName() ?? "nothing"}");
            }

            if (change.From is null && Live.Any(e => e.UserId == change.After.UserId))
            {
                Violations.Add($"user {change.After.UserId} got a second live enrollment");
            }

            enrollments[change.After.Id] = change.After with { WaitlistRank = null };
            lastWaitlistPosition = Math.Max(lastWaitlistPosition, change.After.WaitlistPosition ?? 0);
            lastSequence = change.Event.Sequence;
            History.Add(change);
        }

        Version++;
        if (Active > activeBefore && Policy.Capacity is { } capacity && Active > capacity)
        {
            Violations.Add($"{Active} active for a capacity of {capacity}");
        }

        if (Waiting > 0 && (Policy.Capacity is null || Active < Policy.Capacity))
        {
            Violations.Add($"a free seat while {Waiting} wait");
        }
    }
}
