namespace OrleansEnrollment.Enrollments;

/// <summary>What a freed seat does when people wait.</summary>
[GenerateSerializer]
[Alias("PromotionMode")]
public enum PromotionMode
{
    /// <summary>The head of the waitlist is confirmed at once.</summary>
    Automatic = 0,

    /// <summary>The seat is held for the head of the waitlist for <see cref="EnrollmentPolicy.ClaimWindow"/>: they accept or decline it.</summary>
    Offer = 1,
}

/// <summary>
/// How an event admits people: a seat limit (null = unlimited), whether a full event keeps a waitlist, how a freed seat
/// reaches the waitlist, and when enrolling is open.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("EnrollmentPolicy")]
public sealed record EnrollmentPolicy([property: Id(0)] int? Capacity, [property: Id(1)] bool HasWaitlist)
{
    public static readonly TimeSpan MinClaimWindow = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxClaimWindow = TimeSpan.FromDays(30);

    public static EnrollmentPolicy Unlimited { get; } = new(null, HasWaitlist: false);

    [Id(2)]
    public PromotionMode Promotion { get; init; }

    /// <summary>How long an offer holds its seat; set exactly when <see cref="Promotion"/> is <see cref="PromotionMode.Offer"/>.</summary>
    [Id(3)]
    public TimeSpan? ClaimWindow { get; init; }

    /// <summary>Enrolling before this is refused ("Enrollment has not opened yet").</summary>
    [Id(4)]
    public DateTimeOffset? OpensAt { get; init; }

    /// <summary>Enrolling from this on is refused ("Enrollment is closed"); cancelling stays possible.</summary>
    [Id(5)]
    public DateTimeOffset? ClosesAt { get; init; }

    /// <summary>From this on a full event takes nobody onto its waitlist ("Event is full").</summary>
    [Id(6)]
    public DateTimeOffset? WaitlistClosesAt { get; init; }

    /// <summary>Why this policy is not acceptable, or null when it is.</summary>
    public string? Validate()
    {
        if (Capacity is < 0)
        {
            return "Capacity must be zero or more, or null for unlimited.";
        }

        if (Promotion == PromotionMode.Offer && ClaimWindow is null)
        {
            return "Offers need a claim window (an ISO 8601 duration such as PT12H).";
        }

        if (ClaimWindow is { } claim && (claim < MinClaimWindow || claim > MaxClaimWindow))
        {
            return "The claim window must be at least PT1S and at most P30D.";
        }

        if (Promotion == PromotionMode.Automatic && ClaimWindow is not null)
        {
            return "A claim window applies only to the offer promotion mode.";
        }

        return OpensAt is { } opens && ClosesAt is { } closes && closes <= opens ? "Enrollment must close after it opens." : null;
    }

    /// <summary>
    /// This policy with enrollment closed from <paramref name="at"/> on. An opening still ahead is dropped, since enrollment
    /// cannot close before it opens (and closing means nobody gets in from now on either way).
    /// </summary>
    public EnrollmentPolicy ClosedFrom(DateTimeOffset at) => this with { ClosesAt = at, OpensAt = OpensAt < at ? OpensAt : null };

    /// <summary>This policy open from now on, with no end: the window's bounds are gone; the waitlist's deadline stays.</summary>
    public EnrollmentPolicy OpenedNow() => this with { OpensAt = null, ClosesAt = null };

    /// <summary>Why enrolling at <paramref name="at"/> is refused by the enrollment window, or null when it is open.</summary>
    public EnrollmentOutcome? WindowRefusal(DateTimeOffset at) =>
        OpensAt is { } opens && at < opens ? EnrollmentOutcome.NotOpenYet
        : ClosesAt is { } closes && at >= closes ? EnrollmentOutcome.Closed
        : null;

    /// <summary>Whether a full event still takes people onto its waitlist at <paramref name="at"/>.</summary>
    public bool WaitlistOpenAt(DateTimeOffset at) => HasWaitlist && (WaitlistClosesAt is not { } closes || at < closes);
}
