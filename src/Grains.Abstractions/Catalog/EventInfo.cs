using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Catalog;

/// <summary>An event people can enroll in, with its policy and current counts.</summary>
[GenerateSerializer, Immutable]
[Alias("EventInfo")]
public sealed record EventInfo(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Title,
    [property: Id(2)] DateTimeOffset StartsAt,
    [property: Id(3)] EnrollmentPolicy Policy,
    [property: Id(4)] int ActiveCount,
    [property: Id(5)] int WaitlistCount)
{
    public bool IsFull => Policy.Capacity is { } capacity && ActiveCount >= capacity;
}
