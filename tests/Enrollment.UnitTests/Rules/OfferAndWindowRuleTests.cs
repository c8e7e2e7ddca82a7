using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Tests.Rules;

/// <summary>
/// The pure rule for offers, expiry, enrollment windows and the admin's promote: each case is a state, a decision and
/// what it writes. Every write is also replayed (<see cref="DecisionReplay"/>) on the row it was decided on, so the
/// store's own check agrees with the decider on each case.
/// </summary>
public sealed class OfferAndWindowRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromHours(12);
    private static readonly TransitionRequest Admin = new(Guid.NewGuid(), Guid.NewGuid(), null);

    private static EnrollmentPolicy Offers(int capacity) => new(capacity, HasWaitlist: true) { Promotion = PromotionMode.Offer, ClaimWindow = Window };

    /// <summary>An event with <paramref name="seated"/> confirmed people and <paramref name="waiting"/> people waiting, in arrival order.</summary>
    private static (EventCapacityState State, List<Enrollment> Seated, List<Enrollment> Waiting) Event(EnrollmentPolicy policy, int seated, int waiting)
    {
        // filled under automatic promotion at the policy's capacity, then switched to the policy (which seats nobody: it is full)
        var state = new EventCapacityState(Guid.NewGuid(), policy with { Promotion = PromotionMode.Automatic, ClaimWindow = null }, 0, 0, 0, 0, []);
        var people = Enumerable.Range(0, seated + waiting).Select(_ => Enroll(state)).ToList();
        Assert.Empty(Apply(state, state.DecidePolicy(policy, Admin, Now)).Changes);
        return (state, people.Take(seated).ToList(), people.Skip(seated).ToList());
    }

    private static Enrollment Enroll(EventCapacityState state, DateTimeOffset? at = null)
    {
        var admit = Assert.IsType<EnrollmentDecision.Admit>(state.Decide(new EnrollmentRequest(Guid.NewGuid(), Guid.NewGuid(), at ?? Now)));
        Apply(state, admit.Write);
        return admit.Enrollment;
    }

    /// <summary>Replays the write on the row it was decided on, then applies it.</summary>
    private static DecisionWrite Apply(EventCapacityState state, DecisionWrite write)
    {
        Assert.Null(DecisionReplay.FindDisagreement(state.ToPolicyRow(), write));
        state.Apply(write);
        return write;
    }

    private static DecisionWrite Accepted(EventCapacityState state, TransitionDecision decision)
    {
        Assert.Equal(TransitionOutcome.Done, decision.Answer.Outcome);
        return Apply(state, decision.Write!);
    }

    [Fact]
    public void In_offer_mode_a_freed_seat_is_held_for_the_head_of_the_waitlist_until_the_claim_window_ends()
    {
        var (state, seated, waiting) = Event(Offers(2), seated: 2, waiting: 2);

        var write = Accepted(state, state.DecideCancel(seated[0].Id, Admin, Now));

        var offer = write.Changes[1];
        Assert.Equal((EnrollmentStatus.Offered, waiting[0].Id, Now + Window), (offer.After.Status, offer.After.Id, offer.After.OfferExpiresAt));
        var offered = Assert.IsType<EnrollmentOffered>(offer.Event);
        Assert.Equal((Now + Window, waiting[0].WaitlistPosition!.Value), (offered.ExpiresAt, offered.FromPosition));
        Assert.Equal((2, 1), (state.ActiveCount, state.WaitlistCount));
        Assert.Equal(Now + Window, state.NextOfferDeadline);
        // the held seat is nobody else's: a newcomer waits
        Assert.Equal(EnrollmentStatus.Waitlisted, Enroll(state).Status);
    }

    [Fact]
    public void In_automatic_mode_a_freed_seat_confirms_the_head_at_once()
    {
        var (state, seated, waiting) = Event(new EnrollmentPolicy(2, true), seated: 2, waiting: 1);

        var write = Accepted(state, state.DecideCancel(seated[0].Id, Admin, Now));

        Assert.Equal((EnrollmentStatus.Confirmed, waiting[0].Id), (write.Changes[1].After.Status, write.Changes[1].After.Id));
        Assert.IsType<EnrollmentPromoted>(write.Changes[1].Event);
    }

    [Fact]
    public void Accepting_before_the_deadline_confirms_and_after_it_is_refused()
    {
        var (state, seated, waiting) = Event(Offers(1), seated: 1, waiting: 2);
        Accepted(state, state.DecideCancel(seated[0].Id, Admin, Now));

        var late = state.DecideAccept(waiting[0].UserId, Admin, Now + Window);
        Assert.Equal(TransitionOutcome.NotAllowed, late.Answer.Outcome);
        Assert.Contains("expired", late.Answer.Message);

        var write = Accepted(state, state.DecideAccept(waiting[0].UserId, Admin, Now + Window - TimeSpan.FromSeconds(1)));
        Assert.Equal(EnrollmentStatus.Confirmed, write.Changes.Single().After.Status);
        Assert.IsType<OfferAccepted>(write.Changes.Single().Event);
        Assert.Null(state.NextOfferDeadline);

        Assert.Equal(TransitionOutcome.NotAllowed, state.DecideAccept(waiting[1].UserId, Admin, Now).Answer.Outcome); // still waiting, no offer
        Assert.Equal(TransitionOutcome.NotAllowed, state.DecideAccept(Guid.NewGuid(), Admin, Now).Answer.Outcome); // too late reads as a conflict
    }

    [Fact]
    public void Declining_cancels_and_offers_the_seat_to_the_next_person()
    {
        var (state, seated, waiting) = Event(Offers(1), seated: 1, waiting: 2);
        Accepted(state, state.DecideCancel(seated[0].Id, Admin, Now));

        var write = Accepted(state, state.DecideDecline(waiting[0].UserId, Admin, Now.AddMinutes(5)));

        Assert.Equal(
            [(waiting[0].Id, EnrollmentStatus.Cancelled, "offer declined"), (waiting[1].Id, EnrollmentStatus.Offered, "a seat opened: offered")],
            write.Changes.Select(change => (change.After.Id, change.After.Status, change.Reason)));
        Assert.IsType<OfferDeclined>(write.Changes[0].Event);
        Assert.Equal(Now.AddMinutes(5) + Window, write.Changes[1].After.OfferExpiresAt);
    }

    [Fact]
    public void Cancelling_ones_own_offer_is_declining_it_and_an_admin_cancelling_it_is_a_cancellation()
    {
        var (state, seated, waiting) = Event(Offers(1), seated: 1, waiting: 3);
        Accepted(state, state.DecideCancel(seated[0].Id, Admin, Now));

        var own = Accepted(state, state.DecideCancel(waiting[0].Id, Admin, Now, byItsUser: true));
        var byAdmin = Accepted(state, state.DecideCancel(waiting[1].Id, Admin, Now));

        Assert.IsType<OfferDeclined>(own.Changes[0].Event);
        Assert.Equal(EnrollmentStatus.Offered, Assert.IsType<EnrollmentCancelled>(byAdmin.Changes[0].Event).PreviousStatus);
        Assert.Equal(EnrollmentStatus.Offered, byAdmin.Changes[1].After.Status);
    }

    [Fact]
    public void Offers_past_their_deadline_expire_earliest_first_and_their_seats_go_to_the_next_people()
    {
        var (state, seated, waiting) = Event(Offers(2), seated: 2, waiting: 4);
        Accepted(state, state.DecideCancel(seated[0].Id, Admin, Now));
        Accepted(state, state.DecideCancel(seated[1].Id, Admin, Now.AddHours(1)));

        Assert.Null(state.DecideExpiry(Admin, Now + Window - TimeSpan.FromTicks(10)));
        var first = Apply(state, state.DecideExpiry(Admin, Now + Window)!);
        Assert.Equal(
            [(waiting[0].Id, EnrollmentStatus.Cancelled, "offer expired"), (waiting[2].Id, EnrollmentStatus.Offered, "a seat opened: offered")],
            first.Changes.Select(change => (change.After.Id, change.After.Status, change.Reason)));
        Assert.Null(first.Changes[0].ActorId);
        Assert.Equal(Now + Window, Assert.IsType<OfferExpired>(first.Changes[0].Event).ExpiredAt);

        var both = Apply(state, state.DecideExpiry(Admin, Now.AddDays(3))!);
        Assert.Equal(
            [waiting[1].Id, waiting[2].Id, waiting[3].Id],
            both.Changes.Select(change => change.After.Id));
        Assert.Equal(
            [EnrollmentStatus.Cancelled, EnrollmentStatus.Cancelled, EnrollmentStatus.Offered],
            both.Changes.Select(change => change.After.Status));
        Assert.Equal((1, 0), (state.ActiveCount, state.WaitlistCount));
    }

    [Fact]
    public void Back_to_automatic_promotion_the_people_holding_offers_are_confirmed()
    {
        var (state, seated, waiting) = Event(Offers(1), seated: 1, waiting: 2);
        Accepted(state, state.DecideCancel(seated[0].Id, Admin, Now));

        var write = Apply(state, state.DecidePolicy(new EnrollmentPolicy(1, true), Admin, Now));

        Assert.Equal([(waiting[0].Id, EnrollmentStatus.Confirmed)], write.Changes.Select(change => (change.After.Id, change.After.Status)));
        Assert.IsType<EnrollmentPromoted>(write.Changes[0].Event);
        Assert.Null(state.NextOfferDeadline);
    }

    [Fact]
    public void Raising_the_capacity_in_offer_mode_offers_the_new_seats_in_arrival_order()
    {
        var (state, _, waiting) = Event(Offers(1), seated: 1, waiting: 3);

        var write = Apply(state, state.DecidePolicy(Offers(3), Admin, Now));

        Assert.Equal([waiting[0].Id, waiting[1].Id], write.Changes.Select(change => change.After.Id));
        Assert.All(write.Changes, change => Assert.Equal(EnrollmentStatus.Offered, change.After.Status));
    }

    [Fact]
    public void An_admin_promoting_a_waiting_person_on_a_full_event_raises_the_capacity_by_one_in_the_same_decision()
    {
        var (state, _, waiting) = Event(new EnrollmentPolicy(2, true), seated: 2, waiting: 3);

        var decision = state.DecidePromote(waiting[2].Id, Admin with { Reason = "speaker's partner" }, Now);
        var write = Accepted(state, decision);

        Assert.Equal(3, write.NewPolicy!.Capacity);
        var change = write.Changes.Single();
        Assert.Equal((waiting[2].Id, EnrollmentStatus.Confirmed), (change.After.Id, change.After.Status));
        Assert.Equal("promoted by an admin; capacity raised from 2 to 3: speaker's partner", change.Reason);
        Assert.Equal(Admin.ActorId, change.ActorId);
        Assert.Equal((3, 3, 2), (state.Policy.Capacity, state.ActiveCount, state.WaitlistCount));
    }

    [Fact]
    public void After_a_capacity_lowered_below_the_seats_held_a_promotion_raises_it_to_one_more_than_are_held()
    {
        var (state, _, waiting) = Event(new EnrollmentPolicy(4, true), seated: 4, waiting: 1);
        Apply(state, state.DecidePolicy(new EnrollmentPolicy(2, true), Admin, Now));

        var write = Accepted(state, state.DecidePromote(waiting[0].Id, Admin with { Reason = "r" }, Now));

        Assert.Equal(5, write.NewPolicy!.Capacity);
        Assert.StartsWith("promoted by an admin; capacity raised from 2 to 5", write.Changes[0].Reason);
    }

    [Fact]
    public void An_admin_promoting_someone_holding_an_offer_confirms_them_on_the_seat_they_hold()
    {
        var (state, seated, waiting) = Event(Offers(1), seated: 1, waiting: 1);
        Accepted(state, state.DecideCancel(seated[0].Id, Admin, Now));

        var write = Accepted(state, state.DecidePromote(waiting[0].Id, Admin with { Reason = "called us" }, Now));

        Assert.Null(write.NewPolicy);
        Assert.Equal(("promoted by an admin: called us", EnrollmentStatus.Confirmed), (write.Changes[0].Reason, write.Changes[0].After.Status));
        Assert.Equal(1, state.Policy.Capacity);
    }

    [Theory]
    [InlineData(EnrollmentStatus.Confirmed)]
    [InlineData(EnrollmentStatus.Cancelled)]
    public void Only_waiting_or_offered_people_can_be_promoted(EnrollmentStatus status)
    {
        var (state, seated, _) = Event(new EnrollmentPolicy(2, true), seated: 1, waiting: 0);
        if (status == EnrollmentStatus.Cancelled)
        {
            Accepted(state, state.DecideCancel(seated[0].Id, Admin, Now));
        }

        Assert.NotEqual(TransitionOutcome.Done, state.DecidePromote(seated[0].Id, Admin with { Reason = "r" }, Now).Answer.Outcome);
    }

    public static TheoryData<int, EnrollmentOutcome?> Windows => new()
    {
        { -2, EnrollmentOutcome.NotOpenYet },
        { -1, EnrollmentOutcome.NotOpenYet },
        { 0, null }, // opens at
        { 5, null },
        { 10, EnrollmentOutcome.Closed }, // closes at
        { 11, EnrollmentOutcome.Closed },
    };

    [Theory]
    [MemberData(nameof(Windows))]
    public void Enrolling_outside_the_window_is_refused_with_what_to_tell_the_caller(int hour, EnrollmentOutcome? refused)
    {
        var state = new EventCapacityState(
            Guid.NewGuid(), new EnrollmentPolicy(10, true) { OpensAt = Now, ClosesAt = Now.AddHours(10) }, 0, 0, 0, 0, []);

        var decision = state.Decide(new EnrollmentRequest(Guid.NewGuid(), Guid.NewGuid(), Now.AddHours(hour)));

        if (refused is { } outcome)
        {
            Assert.Equal(outcome, Assert.IsType<EnrollmentDecision.OutsideWindow>(decision).Outcome);
        }
        else
        {
            Assert.IsType<EnrollmentDecision.Admit>(decision);
        }
    }

    [Fact]
    public void After_the_window_closes_an_enrolled_person_still_gets_their_enrollment_and_can_cancel()
    {
        var state = new EventCapacityState(Guid.NewGuid(), new EnrollmentPolicy(1, true) { ClosesAt = Now.AddHours(1) }, 0, 0, 0, 0, []);
        var seated = Enroll(state);
        var waiting = Enroll(state);

        Assert.IsType<EnrollmentDecision.Existing>(state.Decide(new EnrollmentRequest(seated.UserId, Guid.NewGuid(), Now.AddHours(2))));
        var write = Accepted(state, state.DecideCancel(seated.Id, Admin, Now.AddHours(2)));
        Assert.Equal([EnrollmentStatus.Cancelled, EnrollmentStatus.Confirmed], write.Changes.Select(change => change.After.Status));
        Assert.Equal(waiting.Id, write.Changes[1].After.Id); // promotions go on
    }

    [Fact]
    public void A_full_event_takes_nobody_onto_its_waitlist_once_the_waitlist_closes()
    {
        var state = new EventCapacityState(Guid.NewGuid(), new EnrollmentPolicy(1, true) { WaitlistClosesAt = Now }, 0, 0, 0, 0, []);
        Enroll(state, Now.AddHours(1)); // a free seat is still taken after the waitlist closed

        Assert.IsType<EnrollmentDecision.Rejected>(state.Decide(new EnrollmentRequest(Guid.NewGuid(), Guid.NewGuid(), Now.AddHours(1))));
        Assert.Equal(EnrollmentStatus.Waitlisted, Enroll(state, Now.AddSeconds(-1)).Status);
    }

    public static TheoryData<EnrollmentPolicy, string?> Policies => new()
    {
        { new EnrollmentPolicy(1, true), null },
        { Offers(1), null },
        { Offers(1) with { ClaimWindow = TimeSpan.FromSeconds(1) }, null },
        { Offers(1) with { ClaimWindow = TimeSpan.FromDays(30) }, null },
        { Offers(1) with { ClaimWindow = TimeSpan.FromMilliseconds(999) }, "at least PT1S" },
        { Offers(1) with { ClaimWindow = TimeSpan.FromDays(30).Add(TimeSpan.FromSeconds(1)) }, "at most P30D" },
        { Offers(1) with { ClaimWindow = null }, "claim window" },
        { new EnrollmentPolicy(1, true) { ClaimWindow = Window }, "only to the offer" },
        { new EnrollmentPolicy(1, true) { OpensAt = Now, ClosesAt = Now }, "close after it opens" },
    };

    [Theory]
    [MemberData(nameof(Policies))]
    public void A_policy_is_valid_only_with_a_claim_window_in_bounds_for_offers_and_a_window_that_closes_after_it_opens(
        EnrollmentPolicy policy, string? problem)
    {
        if (problem is null)
        {
            Assert.Null(policy.Validate());
        }
        else
        {
            Assert.Contains(problem, policy.Validate());
        }
    }
}
