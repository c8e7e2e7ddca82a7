using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Catalog;

/// <summary>An event people can enroll in, with its policy, current counts and the details people read (<see cref="EventDetails"/>).</summary>
/// <param name="TimeZone">The IANA zone the event's times are shown in, e.g. Europe/Paris.</param>
[GenerateSerializer, Immutable]
[Alias("EventInfo")]
public sealed record EventInfo(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Title,
    [property: Id(2)] DateTimeOffset StartsAt,
    [property: Id(3)] EnrollmentPolicy Policy,
    [property: Id(4)] int ActiveCount,
    [property: Id(5)] int WaitlistCount,
    [property: Id(6)] string Description = "",
    [property: Id(7)] string Location = "",
    [property: Id(8)] DateTimeOffset? EndsAt = null,
    [property: Id(9)] string TimeZone = EventDetails.DefaultTimeZone)
{
    public bool IsFull => Policy.Capacity is { } capacity && ActiveCount >= capacity;

    public EventDetails Details => new(Title, StartsAt, EndsAt, Description, Location, TimeZone);
}
