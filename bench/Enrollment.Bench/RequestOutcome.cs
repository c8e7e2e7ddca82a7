namespace OrleansEnrollment.Bench;

/// <summary>
/// What one request got. Every request is a new user, so anything but a new enrollment (confirmed or waitlisted) means
/// the system under test did not do what it was asked.
/// </summary>
public enum RequestOutcome
{
    Confirmed,
    Waitlisted,
    Unexpected,
}
