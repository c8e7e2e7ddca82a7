namespace OrleansEnrollment.Enrollments;

/// <summary>An event's seats at a glance, as its capacity grain knows them.</summary>
[GenerateSerializer, Immutable]
[Alias("EventCapacitySummary")]
public sealed record EventCapacitySummary(
    [property: Id(0)] Guid EventId,
    [property: Id(1)] EnrollmentPolicy Policy,
    [property: Id(2)] int ActiveCount,
    [property: Id(3)] int WaitlistCount)
{
    public bool IsFull => Policy.Capacity is { } capacity && ActiveCount >= capacity;

    public int? SeatsLeft => Policy.Capacity is { } capacity ? Math.Max(0, capacity - ActiveCount) : null;
}
