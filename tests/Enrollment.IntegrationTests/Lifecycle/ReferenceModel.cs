using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Tests.Lifecycle;

/// <summary>
/// The enrollment rules written as plainly as possible, with no concurrency, storage or cleverness: the model the
/// system is compared with after every step.
/// </summary>
public sealed class ReferenceModel(int? capacity, bool hasWaitlist)
{
    private readonly Dictionary<int, EnrollmentStatus> live = [];
    private readonly List<int> waiting = []; // users, in arrival order

    public int? Capacity { get; private set; } = capacity;

    public bool HasWaitlist { get; private set; } = hasWaitlist;

    public int Active => live.Values.Count(status => status.IsActive());

    public int Waiting => waiting.Count;

    public EnrollmentStatus? StatusOf(int user) => live.TryGetValue(user, out var status) ? status : null;

    /// <summary>1 = next to get a seat.</summary>
    public int? RankOf(int user) => waiting.IndexOf(user) is >= 0 and var index ? index + 1 : null;

    public (EnrollmentOutcome Outcome, EnrollmentStatus? Status) Enroll(int user)
    {
        if (live.TryGetValue(user, out var existing))
        {
            return (EnrollmentOutcome.AlreadyEnrolled, existing);
        }

        if (HasFreeSeat)
        {
            live[user] = EnrollmentStatus.Confirmed;
            return (EnrollmentOutcome.Enrolled, EnrollmentStatus.Confirmed);
        }

        if (!HasWaitlist)
        {
            return (EnrollmentOutcome.EventFull, null);
        }

        live[user] = EnrollmentStatus.Waitlisted;
        waiting.Add(user);
        return (EnrollmentOutcome.Enrolled, EnrollmentStatus.Waitlisted);
    }

    public TransitionOutcome Cancel(int user)
    {
        if (!live.TryGetValue(user, out var status))
        {
            return TransitionOutcome.NotFound;
        }

        if (status is not (EnrollmentStatus.Confirmed or EnrollmentStatus.Waitlisted))
        {
            return TransitionOutcome.NotAllowed;
        }

        live.Remove(user);
        waiting.Remove(user);
        FillFreeSeats();
        return TransitionOutcome.Done;
    }

    public TransitionOutcome CheckIn(int user) => Step(user, EnrollmentStatus.Confirmed, EnrollmentStatus.CheckedIn);

    public TransitionOutcome Attend(int user) => Step(user, EnrollmentStatus.CheckedIn, EnrollmentStatus.Attended);

    public TransitionOutcome Promote(int user)
    {
        if (!live.TryGetValue(user, out var status))
        {
            return TransitionOutcome.NotFound;
        }

        if (status != EnrollmentStatus.Waitlisted)
        {
            return TransitionOutcome.NotAllowed;
        }

        // The admin's promote gives a seat now: on a full event it adds one, one more than are held.
        if (!HasFreeSeat)
        {
            Capacity = Math.Max(Capacity!.Value, Active) + 1;
        }

        live[user] = EnrollmentStatus.Confirmed;
        waiting.Remove(user);
        return TransitionOutcome.Done;
    }

    public void ChangePolicy(int? newCapacity, bool newHasWaitlist)
    {
        Capacity = newCapacity;
        HasWaitlist = newHasWaitlist;
        FillFreeSeats();
    }

    private bool HasFreeSeat => Capacity is null || Active < Capacity;

    private TransitionOutcome Step(int user, EnrollmentStatus from, EnrollmentStatus to)
    {
        if (!live.TryGetValue(user, out var status))
        {
            return TransitionOutcome.NotFound;
        }

        if (status != from)
        {
            return TransitionOutcome.NotAllowed;
        }

        live[user] = to;
        return TransitionOutcome.Done;
    }

    // Whoever waits longest gets the next free seat, whatever freed it.
    private void FillFreeSeats()
    {
        while (HasFreeSeat && waiting.Count > 0)
        {
            live[waiting[0]] = EnrollmentStatus.Confirmed;
            waiting.RemoveAt(0);
        }
    }
}
