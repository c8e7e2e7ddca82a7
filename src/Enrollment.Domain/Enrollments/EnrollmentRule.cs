namespace OrleansEnrollment.Enrollments;

public enum VerdictKind
{
    Confirm,
    Waitlist,
    RejectFull,
}

/// <summary>What the rule says about one newcomer; <see cref="WaitlistPosition"/> is set only for <see cref="VerdictKind.Waitlist"/>.</summary>
public readonly record struct EnrollmentVerdict(VerdictKind Kind, int? WaitlistPosition)
{
    public static EnrollmentVerdict Confirm { get; } = new(VerdictKind.Confirm, null);

    public static EnrollmentVerdict RejectFull { get; } = new(VerdictKind.RejectFull, null);

    public static EnrollmentVerdict Waitlist(int position) => new(VerdictKind.Waitlist, position);
}

/// <summary>
/// The enrollment decision rule, with no I/O: the grain applies it to its in-memory state and the store
/// applies it again to the locked policy row, so both sides judge a decision by the same words.
/// </summary>
public static class EnrollmentRule
{
    /// <param name="activeCount">Confirmed, checked-in and attended enrollments (see <see cref="EnrollmentStatusNames.IsActive"/>).</param>
    /// <param name="lastWaitlistPosition">The highest position ever given in this event (0 if none), so positions are never reused.</param>
    public static EnrollmentVerdict Decide(EnrollmentPolicy policy, int activeCount, int lastWaitlistPosition)
    {
        if (policy.Capacity is null || activeCount < policy.Capacity)
        {
            return EnrollmentVerdict.Confirm;
        }

        return policy.HasWaitlist ? EnrollmentVerdict.Waitlist(lastWaitlistPosition + 1) : EnrollmentVerdict.RejectFull;
    }

    public static int CountActive(IEnumerable<EnrollmentStatus> statuses) => statuses.Count(status => status.IsActive());
}
