using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.DomainEvents;

/// <summary>
/// Something that happened to an enrollment and was committed. Each transition of an enrollment is one
/// subtype, named in the past tense; they travel on the event's Orleans stream and, as integration messages,
/// on the message bus.
/// </summary>
/// <remarks>
/// <see cref="Id"/> is unique per domain event and doubles as the bus message id, so consumers de-duplicate
/// redeliveries by it. <see cref="Sequence"/> numbers an event's domain events 1, 2, 3… in commit order.
/// </remarks>
[GenerateSerializer, Immutable]
[Alias("EnrollmentEvent")]
public abstract record EnrollmentEvent
{
    [Id(0)]
    public required Guid Id { get; init; }

    /// <summary>The event people enroll in.</summary>
    [Id(1)]
    public required Guid EventId { get; init; }

    [Id(2)]
    public required Guid EnrollmentId { get; init; }

    [Id(3)]
    public required Guid UserId { get; init; }

    [Id(4)]
    public required long Sequence { get; init; }

    /// <summary>When the transition was decided and committed (the same transaction writes it).</summary>
    [Id(5)]
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>A newcomer got a seat.</summary>
[GenerateSerializer, Immutable]
[Alias("EnrollmentConfirmed")]
public sealed record EnrollmentConfirmed : EnrollmentEvent;

/// <summary>A newcomer found the event full and joined its waitlist.</summary>
[GenerateSerializer, Immutable]
[Alias("EnrollmentWaitlisted")]
public sealed record EnrollmentWaitlisted : EnrollmentEvent
{
    /// <summary>The arrival order on the waitlist (the stored position).</summary>
    [Id(0)]
    public required int Position { get; init; }

    /// <summary>The place among the people waiting when this enrollment joined (1 = next): what the user is shown.</summary>
    [Id(1)]
    public int Rank { get; init; }
}

/// <summary>An enrollment was cancelled, by its user or by an admin on their behalf.</summary>
[GenerateSerializer, Immutable]
[Alias("EnrollmentCancelled")]
public sealed record EnrollmentCancelled : EnrollmentEvent
{
    [Id(0)]
    public required EnrollmentStatus PreviousStatus { get; init; }

    /// <summary>Who cancelled: the person themself or an admin (events written before this was recorded: null).</summary>
    [Id(1)]
    public Guid? ActorId { get; init; }

    /// <summary>Someone other than the person cancelled it, so the person needs telling.</summary>
    public bool ByAnotherPerson => ActorId is { } actor && actor != UserId;
}

/// <summary>A waiting enrollment got a seat: the head of the waitlist when one freed, or one an admin chose.</summary>
[GenerateSerializer, Immutable]
[Alias("EnrollmentPromoted")]
public sealed record EnrollmentPromoted : EnrollmentEvent
{
    /// <summary>The stored waitlist position (arrival order) the enrollment was promoted from.</summary>
    [Id(0)]
    public required int FromPosition { get; init; }
}

/// <summary>A confirmed person arrived at the event.</summary>
[GenerateSerializer, Immutable]
[Alias("EnrollmentCheckedIn")]
public sealed record EnrollmentCheckedIn : EnrollmentEvent;

/// <summary>A checked-in person attended the event.</summary>
[GenerateSerializer, Immutable]
[Alias("EnrollmentAttended")]
public sealed record EnrollmentAttended : EnrollmentEvent;

/// <summary>A seat freed and is held for this waiting person until <see cref="ExpiresAt"/> (the offer promotion mode).</summary>
[GenerateSerializer, Immutable]
[Alias("EnrollmentOffered")]
public sealed record EnrollmentOffered : EnrollmentEvent
{
    [Id(0)]
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The stored waitlist position (arrival order) the offer went to.</summary>
    [Id(1)]
    public required int FromPosition { get; init; }
}

/// <summary>The person took the seat offered to them: now confirmed.</summary>
[GenerateSerializer, Immutable]
[Alias("OfferAccepted")]
public sealed record OfferAccepted : EnrollmentEvent;

/// <summary>The person turned the offer down: their enrollment is cancelled, and the seat goes to the next person waiting.</summary>
[GenerateSerializer, Immutable]
[Alias("OfferDeclined")]
public sealed record OfferDeclined : EnrollmentEvent;

/// <summary>Nobody answered the offer before its deadline: the enrollment is cancelled, and the seat goes to the next person waiting.</summary>
[GenerateSerializer, Immutable]
[Alias("OfferExpired")]
public sealed record OfferExpired : EnrollmentEvent
{
    [Id(0)]
    public required DateTimeOffset ExpiredAt { get; init; }
}
