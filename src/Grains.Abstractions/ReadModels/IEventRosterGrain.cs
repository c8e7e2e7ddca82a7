using OrleansEnrollment.Enrollments;
using OrleansEnrollment.LiveUpdates;

namespace OrleansEnrollment.ReadModels;

/// <summary>
/// An event's enrollments as admins see them, kept in memory and current from the event's domain-event stream, so
/// viewing them never locks or scans the enrollment tables. Keyed by the event id.
/// </summary>
[Alias("IEventRosterGrain")]
public interface IEventRosterGrain : IGrainWithGuidKey
{
    /// <summary>
    /// One page (1-based) of the roster, optionally of one status: waiting people in position order, everyone else in
    /// enrollment order.
    /// </summary>
    [Alias("GetPage")]
    Task<RosterPage> GetPage(EnrollmentStatus? status, int page, int pageSize);

    /// <summary>
    /// Tells <paramref name="watcher"/> whenever the roster moves, for a few minutes: a watcher renews by calling again
    /// (a new activation of the roster starts with no watchers, and renewal is how they come back).
    /// </summary>
    [Alias("Watch")]
    Task Watch(IEventWatcher watcher);

    [Alias("Unwatch")]
    Task Unwatch(IEventWatcher watcher);
}

/// <param name="WaitlistPosition">The stored arrival order (kept as history after the enrollment leaves the waitlist).</param>
/// <param name="WaitlistRank">For a waiting enrollment, its place among the people still waiting (1 = next).</param>
/// <param name="OfferExpiresAt">For an offered enrollment, when the offer ends unless accepted.</param>
[GenerateSerializer, Immutable]
[Alias("RosterEntry")]
public sealed record RosterEntry(
    [property: Id(0)] Guid EnrollmentId,
    [property: Id(1)] Guid UserId,
    [property: Id(2)] EnrollmentStatus Status,
    [property: Id(3)] int? WaitlistPosition,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] int? WaitlistRank = null,
    [property: Id(6)] DateTimeOffset? OfferExpiresAt = null);

/// <param name="AsOfSequence">The last domain event the roster has applied: how current it is.</param>
[GenerateSerializer, Immutable]
[Alias("RosterPage")]
public sealed record RosterPage(
    [property: Id(0)] IReadOnlyList<RosterEntry> Items,
    [property: Id(1)] int Total,
    [property: Id(2)] long AsOfSequence);
