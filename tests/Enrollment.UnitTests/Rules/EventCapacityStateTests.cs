using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Tests.Rules;

public sealed class EventCapacityStateTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);

    private static EventCapacityState NewEvent(int? capacity, bool hasWaitlist) =>
        new(Guid.NewGuid(), new EnrollmentPolicy(capacity, hasWaitlist), 0, 0, 0, version: 0, []);

    private static EnrollmentDecision Enroll(EventCapacityState state, Guid userId)
    {
        var decision = state.Decide(new EnrollmentRequest(userId, Guid.NewGuid(), Now));
        if (decision is EnrollmentDecision.Admit admit)
        {
            state.Apply(admit);
        }

        return decision;
    }

    [Fact]
    public void Fills_seats_then_waitlists_in_arrival_order()
    {
        var state = NewEvent(capacity: 2, hasWaitlist: true);

        var statuses = Enumerable.Range(0, 5)
            .Select(_ => Assert.IsType<EnrollmentDecision.Admit>(Enroll(state, Guid.NewGuid())).Enrollment)
            .Select(enrollment => (enrollment.Status, enrollment.WaitlistPosition))
            .ToList();

        Assert.Equal(
            [
                (EnrollmentStatus.Confirmed, (int?)null), (EnrollmentStatus.Confirmed, null),
                (EnrollmentStatus.Waitlisted, 1), (EnrollmentStatus.Waitlisted, 2), (EnrollmentStatus.Waitlisted, 3),
            ],
            statuses);
        Assert.Equal(2, state.ActiveCount);
        Assert.Equal(3, state.WaitlistCount);
        Assert.Equal(3, state.LastWaitlistPosition);
    }

    [Fact]
    public void Enrolling_twice_returns_the_first_enrollment_unchanged()
    {
        var state = NewEvent(capacity: 1, hasWaitlist: true);
        var userId = Guid.NewGuid();
        var first = Assert.IsType<EnrollmentDecision.Admit>(Enroll(state, userId)).Enrollment;

        var again = Assert.IsType<EnrollmentDecision.Existing>(Enroll(state, userId));

        Assert.Equal(first, again.Enrollment);
        Assert.Equal(1, state.LiveEnrollmentCount);
    }

    [Fact]
    public void A_full_event_without_waitlist_rejects_and_changes_nothing()
    {
        var state = NewEvent(capacity: 1, hasWaitlist: false);
        Enroll(state, Guid.NewGuid());

        Assert.IsType<EnrollmentDecision.Rejected>(Enroll(state, Guid.NewGuid()));
        Assert.Equal(1, state.ActiveCount);
        Assert.Equal(0, state.WaitlistCount);
        Assert.Equal(1, state.LiveEnrollmentCount);
    }

    [Fact]
    public void Positions_continue_after_the_highest_ever_given()
    {
        // loaded from a database where positions up to 7 were already handed out
        var state = new EventCapacityState(Guid.NewGuid(), new EnrollmentPolicy(0, true), 0, 2, lastWaitlistPosition: 7, version: 9, []);

        var admit = Assert.IsType<EnrollmentDecision.Admit>(Enroll(state, Guid.NewGuid()));

        Assert.Equal(8, admit.Enrollment.WaitlistPosition);
    }

    [Fact]
    public void A_newcomer_is_told_their_place_among_the_people_still_waiting()
    {
        var state = NewEvent(capacity: 0, hasWaitlist: true);
        var first = Assert.IsType<EnrollmentDecision.Admit>(Enroll(state, Guid.NewGuid()));
        Enroll(state, Guid.NewGuid());
        var cancel = state.DecideCancel(first.Enrollment.Id, new TransitionRequest(null, Guid.NewGuid(), null), Now);
        state.Apply(cancel.Write!);

        var newcomer = Assert.IsType<EnrollmentDecision.Admit>(Enroll(state, Guid.NewGuid()));

        Assert.Equal(3, newcomer.Enrollment.WaitlistPosition);
        var waitlisted = Assert.IsType<DomainEvents.EnrollmentWaitlisted>(newcomer.Event);
        Assert.Equal(3, waitlisted.Position);
        Assert.Equal(2, waitlisted.Rank);
        Assert.Equal(2, state.Shown(newcomer.Enrollment).WaitlistRank);
    }

    [Fact]
    public void A_waitlist_loaded_out_of_order_keeps_arrival_order()
    {
        var eventId = Guid.NewGuid();
        Enrollment Row(EnrollmentStatus status, int? position) =>
            new(Guid.NewGuid(), eventId, Guid.NewGuid(), status, position, Now);
        var seated = Row(EnrollmentStatus.Confirmed, null);
        var (third, first, second) = (Row(EnrollmentStatus.Waitlisted, 3), Row(EnrollmentStatus.Waitlisted, 1), Row(EnrollmentStatus.Waitlisted, 2));
        var state = new EventCapacityState(
            eventId, new EnrollmentPolicy(1, true), 1, 3, lastWaitlistPosition: 3, version: 1, [third, seated, first, second]);

        Assert.Equal([1, 2, 3], new[] { first, second, third }.Select(e => state.Shown(e).WaitlistRank));
        Assert.Equal(second with { WaitlistRank = null }, state.FindLiveById(second.Id));
        var cancel = state.DecideCancel(seated.Id, new TransitionRequest(null, Guid.NewGuid(), null), Now);
        Assert.Equal([seated.Id, first.Id], cancel.Write!.Changes.Select(change => change.After.Id));
    }
}
