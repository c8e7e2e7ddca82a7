namespace OrleansEnrollment.Enrollments;

/// <summary>How an event admits people: a seat limit (null = unlimited) and whether a full event keeps a waitlist.</summary>
[GenerateSerializer, Immutable]
[Alias("EnrollmentPolicy")]
public sealed record EnrollmentPolicy([property: Id(0)] int? Capacity, [property: Id(1)] bool HasWaitlist)
{
    public static EnrollmentPolicy Unlimited { get; } = new(null, HasWaitlist: false);

    /// <summary>Why this policy is not acceptable, or null when it is.</summary>
    public string? Validate() => Capacity is < 0 ? "Capacity must be zero or more, or null for unlimited." : null;
}
