namespace OrleansEnrollment.DomainEvents;

/// <summary>
/// Where domain events are emitted: provider <see cref="ProviderName"/>, one stream per event in namespace
/// <see cref="Namespace"/>, keyed by the event's id. Items are <see cref="EnrollmentEvent"/>s in commit order.
/// </summary>
public static class EnrollmentStreams
{
    public const string ProviderName = "enrollment";

    public const string Namespace = "enrollment-events";
}
