using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Orleans.Streams.Core;
using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.LiveUpdates;

namespace OrleansEnrollment.ReadModels;

/// <summary>
/// An event's roster in memory: loaded once from the database on activation, then kept current by the event's
/// domain-event stream (an implicit subscription, like the bus bridge). Events arrive in sequence order; one already
/// applied is skipped, and a gap (an event lost in transit, re-emitted later) makes the roster reload. Watchers (web
/// frontends with browsers open on the event) are told after the roster moved, so a page they reload is current.
/// </summary>
[ImplicitStreamSubscription(EnrollmentStreams.Namespace)]
public sealed partial class EventRosterGrain(EnrollmentQueries queries, TimeProvider time, ILogger<EventRosterGrain> logger)
    : Grain, IEventRosterGrain, IStreamSubscriptionObserver, IAsyncObserver<EnrollmentEvent>
{
    public const int MaxPageSize = 100;

    // In arrival order, which is also enrollment order and, among waiting people, position order.
    private readonly List<RosterEntry> entries = [];
    private readonly Dictionary<Guid, int> indexById = [];
    private long lastSequence;
    private readonly EventWatchers watchers = new(time);
    private IGrainTimer? trailingCall;

    private Guid EventId => this.GetPrimaryKey();

    public override Task OnActivateAsync(CancellationToken cancellationToken) => ReloadAsync(cancellationToken);

    public Task<RosterPage> GetPage(EnrollmentStatus? status, int page, int pageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);

        IEnumerable<RosterEntry> selected = status is { } only ? entries.Where(entry => entry.Status == only) : entries;
        if (status == EnrollmentStatus.Waitlisted)
        {
            selected = selected.OrderBy(entry => entry.WaitlistPosition);
        }

        var matching = selected.ToList();
        var ranks = entries.Where(entry => entry.Status == EnrollmentStatus.Waitlisted)
            .OrderBy(entry => entry.WaitlistPosition)
            .Select((entry, index) => (entry.EnrollmentId, Rank: index + 1))
            .ToDictionary(pair => pair.EnrollmentId, pair => pair.Rank);
        var items = matching.Skip((page - 1) * pageSize).Take(pageSize)
            .Select(entry => entry with { WaitlistRank = ranks.TryGetValue(entry.EnrollmentId, out var rank) ? rank : null })
            .ToList();
        return Task.FromResult(new RosterPage(items, matching.Count, lastSequence));
    }

    public Task Watch(IEventWatcher watcher)
    {
        watchers.Renew(watcher);
        return Task.CompletedTask;
    }

    public Task Unwatch(IEventWatcher watcher)
    {
        watchers.Remove(watcher);
        return Task.CompletedTask;
    }

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<EnrollmentEvent>().ResumeAsync(this);

    public async Task OnNextAsync(EnrollmentEvent item, StreamSequenceToken? token = null)
    {
        if (item.Sequence <= lastSequence)
        {
            return; // a redelivery
        }

        if (item.Sequence != lastSequence + 1)
        {
            LogGap(EventId, lastSequence, item.Sequence);
            await ReloadAsync(CancellationToken.None);
            TellWatchers();
            return;
        }

        Apply(item);
        lastSequence = item.Sequence;
        TellWatchers();
    }

    private void TellWatchers()
    {
        switch (watchers.Changed())
        {
            case null:
                return;
            case { } wait when wait == TimeSpan.Zero:
                watchers.TellAll(EventId, lastSequence);
                return;
            case { } wait:
                trailingCall?.Dispose();
                trailingCall = this.RegisterGrainTimer(_ =>
                {
                    watchers.TellAll(EventId, lastSequence);
                    return Task.CompletedTask;
                }, new GrainTimerCreationOptions(wait, Timeout.InfiniteTimeSpan) { KeepAlive = false });
                return;
        }
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    private void Apply(EnrollmentEvent item)
    {
        switch (item)
        {
            case EnrollmentConfirmed:
                Add(new RosterEntry(item.EnrollmentId, item.UserId, EnrollmentStatus.Confirmed, null, item.OccurredAt));
                break;
            case EnrollmentWaitlisted waitlisted:
                Add(new RosterEntry(item.EnrollmentId, item.UserId, EnrollmentStatus.Waitlisted, waitlisted.Position, item.OccurredAt));
                break;
            case EnrollmentCancelled:
                Move(item.EnrollmentId, EnrollmentStatus.Cancelled);
                break;
            case EnrollmentPromoted or OfferAccepted:
                Move(item.EnrollmentId, EnrollmentStatus.Confirmed);
                break;
            case EnrollmentOffered offered:
                Move(item.EnrollmentId, EnrollmentStatus.Offered, offered.ExpiresAt);
                break;
            case OfferDeclined or OfferExpired:
                Move(item.EnrollmentId, EnrollmentStatus.Cancelled);
                break;
            case EnrollmentCheckedIn:
                Move(item.EnrollmentId, EnrollmentStatus.CheckedIn);
                break;
            case EnrollmentAttended:
                Move(item.EnrollmentId, EnrollmentStatus.Attended);
                break;
            default:
                throw new InvalidOperationException($"The roster does not know {item.GetType().Name}.");
        }
    }

    // The stored position stays on the entry as history; the waiting rank is computed per page.
    private void Move(Guid enrollmentId, EnrollmentStatus status, DateTimeOffset? offerExpiresAt = null)
    {
        if (indexById.TryGetValue(enrollmentId, out var index))
        {
            entries[index] = entries[index] with { Status = status, OfferExpiresAt = offerExpiresAt ?? entries[index].OfferExpiresAt };
        }
    }

    private void Add(RosterEntry entry)
    {
        indexById[entry.EnrollmentId] = entries.Count;
        entries.Add(entry);
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var (enrollments, sequence) = await queries.LoadRosterAsync(EventId, cancellationToken);
        entries.Clear();
        indexById.Clear();
        foreach (var enrollment in enrollments)
        {
            Add(new RosterEntry(
                enrollment.Id, enrollment.UserId, enrollment.Status, enrollment.WaitlistPosition, enrollment.CreatedAt, OfferExpiresAt: enrollment.OfferExpiresAt));
        }

        lastSequence = sequence;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Roster of event {EventId}: at sequence {Applied}, received {Received}; reloading")]
    private partial void LogGap(Guid eventId, long applied, long received);
}
