namespace OrleansEnrollment.Bench;

/// <summary>
/// What one request got. In the enrollment scenarios every request is a new user, so anything but a new enrollment
/// (confirmed or waitlisted) means the system under test did not do what it was asked; in the mixed scenario any
/// answer the domain allows (full, already enrolled, nothing to cancel…) is <see cref="Answered"/>.
/// </summary>
public enum RequestOutcome
{
    Confirmed,
    Waitlisted,
    Answered,
    Unexpected,
}
