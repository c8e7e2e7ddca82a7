namespace OrleansEnrollment.Enrollments;

/// <summary>
/// Replays a group of decisions, in order, on the policy row they were taken on, with <see cref="EnrollmentRule"/>:
/// the store's check, before anything is sent, that a decider's group is one the rule allows. The database's triggers
/// (migrations 0003 and 0006) check the same rule again as the rows land, for any writer; this replay only keeps a
/// decider's bug from costing a round trip, and catches what the triggers do not see (a gap in the domain events'
/// sequence).
/// </summary>
public static class DecisionReplay
{
    /// <returns>Why the rule refuses the group, or null when every decision in it is what the rule decides.</returns>
    public static string? FindDisagreement(PolicyRow decidedOn, DecisionWrite write)
    {
        var policy = write.NewPolicy ?? decidedOn.Policy;
        var active = decidedOn.ActiveCount;
        var lastPosition = decidedOn.LastWaitlistPosition;
        var lastSequence = decidedOn.LastEventSequence;
        foreach (var change in write.Changes)
        {
            if (change.Event.Sequence != ++lastSequence)
            {
                return $"domain event {change.Event.Id} has sequence {change.Event.Sequence}, the next one is {lastSequence}";
            }

            var after = change.After;
            if (change.From is null)
            {
                var verdict = EnrollmentRule.Decide(policy, active, lastPosition);
                switch (verdict.Kind)
                {
                    case VerdictKind.Confirm when after.Status == EnrollmentStatus.Confirmed:
                        active++;
                        break;
                    case VerdictKind.Waitlist when after.Status == EnrollmentStatus.Waitlisted && after.WaitlistPosition == verdict.WaitlistPosition:
                        lastPosition++;
                        break;
                    default:
                        return $"the rule decides {verdict.Kind} (position {verdict.WaitlistPosition}) for user {after.UserId}, " +
                               $"the decider said {after.Status} (position {after.WaitlistPosition})";
                }

                continue;
            }

            var gainsSeat = after.Status.IsActive() && !change.From.Value.IsActive();
            if (gainsSeat && policy.Capacity is { } capacity && active >= capacity)
            {
                return $"no free seat for enrollment {after.Id} to become {after.Status.ToName()}";
            }

            active += (after.Status.IsActive() ? 1 : 0) - (change.From.Value.IsActive() ? 1 : 0);
        }

        return null;
    }
}
