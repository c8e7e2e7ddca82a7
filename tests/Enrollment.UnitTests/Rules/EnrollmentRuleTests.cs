using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Tests.Rules;

public sealed class EnrollmentRuleTests
{
    // capacity, has_waitlist, active, last position → expected verdict, expected position
    public static TheoryData<int?, bool, int, int, VerdictKind, int?> Table => new()
    {
        // unlimited: always confirmed, whatever the counts or the waitlist flag
        { null, false, 0, 0, VerdictKind.Confirm, null },
        { null, true, 0, 0, VerdictKind.Confirm, null },
        { null, false, 1_000_000, 0, VerdictKind.Confirm, null },
        { null, true, 1_000_000, 17, VerdictKind.Confirm, null },

        // capacity 0: full from the start
        { 0, false, 0, 0, VerdictKind.RejectFull, null },
        { 0, true, 0, 0, VerdictKind.Waitlist, 1 },
        { 0, true, 0, 41, VerdictKind.Waitlist, 42 },

        // capacity 1: the boundary is the first seat
        { 1, false, 0, 0, VerdictKind.Confirm, null },
        { 1, true, 0, 0, VerdictKind.Confirm, null },
        { 1, false, 1, 0, VerdictKind.RejectFull, null },
        { 1, true, 1, 0, VerdictKind.Waitlist, 1 },
        { 1, true, 1, 5, VerdictKind.Waitlist, 6 },

        // capacity N: below, at and above the boundary
        { 100, false, 0, 0, VerdictKind.Confirm, null },
        { 100, false, 98, 0, VerdictKind.Confirm, null },
        { 100, false, 99, 0, VerdictKind.Confirm, null },
        { 100, false, 100, 0, VerdictKind.RejectFull, null },
        { 100, false, 101, 0, VerdictKind.RejectFull, null },
        { 100, true, 99, 0, VerdictKind.Confirm, null },
        { 100, true, 99, 12, VerdictKind.Confirm, null },
        { 100, true, 100, 0, VerdictKind.Waitlist, 1 },
        { 100, true, 100, 4_899, VerdictKind.Waitlist, 4_900 },

        // a capacity lowered below the active count: full, never a negative seat count
        { 10, true, 25, 3, VerdictKind.Waitlist, 4 },
        { 10, false, 25, 0, VerdictKind.RejectFull, null },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Decides_by_capacity_waitlist_and_counts(int? capacity, bool hasWaitlist, int active, int lastPosition, VerdictKind kind, int? position)
    {
        var verdict = EnrollmentRule.Decide(new EnrollmentPolicy(capacity, hasWaitlist), active, lastPosition);

        Assert.Equal(kind, verdict.Kind);
        Assert.Equal(position, verdict.WaitlistPosition);
    }

    [Theory]
    [InlineData(EnrollmentStatus.Confirmed, true)]
    [InlineData(EnrollmentStatus.CheckedIn, true)]
    [InlineData(EnrollmentStatus.Attended, true)]
    [InlineData(EnrollmentStatus.Waitlisted, false)]
    [InlineData(EnrollmentStatus.Cancelled, false)]
    public void Counts_confirmed_checked_in_and_attended_as_active(EnrollmentStatus status, bool active)
    {
        Assert.Equal(active, status.IsActive());
        Assert.Equal(active ? 1 : 0, EnrollmentRule.CountActive([status]));
    }

    [Theory]
    [InlineData(EnrollmentStatus.Confirmed)]
    [InlineData(EnrollmentStatus.CheckedIn)]
    [InlineData(EnrollmentStatus.Attended)]
    [InlineData(EnrollmentStatus.Waitlisted)]
    [InlineData(EnrollmentStatus.Cancelled)]
    public void A_seat_held_by_any_active_status_fills_the_last_seat(EnrollmentStatus holder)
    {
        // capacity 1 with one enrollment already there: only an active one takes the seat
        var active = EnrollmentRule.CountActive([holder]);

        var verdict = EnrollmentRule.Decide(new EnrollmentPolicy(1, HasWaitlist: false), active, lastWaitlistPosition: 0);

        Assert.Equal(holder.IsActive() ? VerdictKind.RejectFull : VerdictKind.Confirm, verdict.Kind);
    }

    [Fact]
    public void Counts_a_mixed_roster()
    {
        EnrollmentStatus[] roster =
        [
            EnrollmentStatus.Confirmed, EnrollmentStatus.Confirmed, EnrollmentStatus.CheckedIn, EnrollmentStatus.Attended,
            EnrollmentStatus.Waitlisted, EnrollmentStatus.Waitlisted, EnrollmentStatus.Cancelled,
        ];

        Assert.Equal(4, EnrollmentRule.CountActive(roster));
        Assert.Equal(VerdictKind.RejectFull, EnrollmentRule.Decide(new EnrollmentPolicy(4, false), 4, 2).Kind);
        Assert.Equal(VerdictKind.Confirm, EnrollmentRule.Decide(new EnrollmentPolicy(5, false), 4, 2).Kind);
    }

    [Theory]
    [InlineData("confirmed", EnrollmentStatus.Confirmed)]
    [InlineData("waitlisted", EnrollmentStatus.Waitlisted)]
    [InlineData("checked_in", EnrollmentStatus.CheckedIn)]
    [InlineData("attended", EnrollmentStatus.Attended)]
    [InlineData("cancelled", EnrollmentStatus.Cancelled)]
    public void Status_names_are_snake_case_both_ways(string name, EnrollmentStatus status)
    {
        Assert.Equal(name, status.ToName());
        Assert.Equal(status, EnrollmentStatusNames.Parse(name));
    }

    [Theory]
    [InlineData("Confirmed")]
    [InlineData("checkedin")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_status_names_are_refused(string? name) => Assert.False(EnrollmentStatusNames.TryParse(name, out _));

    [Fact]
    public void A_negative_capacity_is_not_a_policy()
    {
        Assert.NotNull(new EnrollmentPolicy(-1, false).Validate());
        Assert.Null(new EnrollmentPolicy(0, false).Validate());
        Assert.Null(new EnrollmentPolicy(null, true).Validate());
    }
}
