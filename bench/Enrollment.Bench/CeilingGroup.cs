using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Notifications;
using OrleansEnrollment.Outbox;

namespace OrleansEnrollment.Bench;

/// <summary>
/// One event's group of newcomers, decided as its grain would decide them one after another (a seat while one is free,
/// then the next waitlist position), as the columns of the commit's unnest statements and of what follows the commit.
/// The outbox payload is the real domain event serialized as the store serializes it, so the jsonb rows are the same
/// size; a newcomer the rule turns away (full, no waitlist) is answered as unexpected and written nowhere.
/// </summary>
public sealed class CeilingGroup
{
    private CeilingGroup(CeilingEvent evt, int size)
    {
        Event = evt;
        Requests = new List<CeilingRequest>(size);
        Outcomes = new List<RequestOutcome>(size);
        EnrollmentIds = new List<Guid>(size);
        UserIds = new List<Guid>(size);
        Statuses = new List<string>(size);
        Positions = new List<int?>(size);
        RequestIds = new List<Guid>(size);
        At = new List<DateTimeOffset>(size);
        Reasons = new List<string>(size);
        DomainEventIds = new List<Guid>(size);
        Sequences = new List<long>(size);
        Types = new List<string>(size);
        Payloads = new List<string>(size);
        Notifications = new List<CeilingNotification>(size);
    }

    public CeilingEvent Event { get; }

    /// <summary>The requests written, in decision order, with the answer each gets once the group is committed.</summary>
    public List<CeilingRequest> Requests { get; }

    public List<RequestOutcome> Outcomes { get; }

    public List<Guid> EnrollmentIds { get; }

    public List<Guid> UserIds { get; }

    public List<string> Statuses { get; }

    public List<int?> Positions { get; }

    public List<Guid> RequestIds { get; }

    public List<DateTimeOffset> At { get; }

    public List<string> Reasons { get; }

    public List<Guid> DomainEventIds { get; }

    public List<long> Sequences { get; }

    public List<string> Types { get; }

    public List<string> Payloads { get; }

    public List<CeilingNotification> Notifications { get; }

    public int Count => Requests.Count;

    /// <summary>Decides the requests in order against the event's committed row; turned-away ones are answered at once.</summary>
    public static CeilingGroup Decide(CeilingEvent evt, List<CeilingRequest> requests)
    {
        var group = new CeilingGroup(evt, requests.Count);
        var active = evt.ActiveCount;
        var waiting = evt.WaitlistCount;
        var lastPosition = evt.LastWaitlistPosition;
        var sequence = evt.LastSequence;
        // microseconds, as the column stores them (the domain rounds its times the same way)
        var now = DateTimeOffset.UtcNow;
        var at = now.AddTicks(-(now.Ticks % 10));
        foreach (var request in requests)
        {
            int? position = null;
            if (evt.Capacity is { } capacity && active >= capacity)
            {
                if (!evt.HasWaitlist)
                {
                    request.Answer.TrySetResult(RequestOutcome.Unexpected);
                    continue;
                }

                position = ++lastPosition;
                waiting++;
            }
            else
            {
                active++;
            }

            var enrollmentId = Guid.CreateVersion7(at);
            EnrollmentEvent domainEvent = position is null
                ? new EnrollmentConfirmed
                {
                    Id = Guid.CreateVersion7(at), EventId = evt.Id, EnrollmentId = enrollmentId, UserId = request.UserId, Sequence = ++sequence, OccurredAt = at,
                }
                : new EnrollmentWaitlisted
                {
                    Id = Guid.CreateVersion7(at), EventId = evt.Id, EnrollmentId = enrollmentId, UserId = request.UserId, Sequence = ++sequence, OccurredAt = at,
                    Position = position.Value, Rank = waiting,
                };
            group.Requests.Add(request);
            group.Outcomes.Add(position is null ? RequestOutcome.Confirmed : RequestOutcome.Waitlisted);
            group.EnrollmentIds.Add(enrollmentId);
            group.UserIds.Add(request.UserId);
            group.Statuses.Add(position is null ? "confirmed" : "waitlisted");
            group.Positions.Add(position);
            group.RequestIds.Add(Guid.NewGuid());
            group.At.Add(at);
            group.Reasons.Add(position is null ? "enrolled" : "enrolled; event full, added to the waitlist");
            group.DomainEventIds.Add(domainEvent.Id);
            group.Sequences.Add(domainEvent.Sequence);
            group.Types.Add(DomainEventJson.TypeName(domainEvent));
            group.Payloads.Add(DomainEventJson.Serialize(domainEvent));
            group.Notifications.Add(position is null
                ? new CeilingNotification(domainEvent.Id, request.UserId, evt.Id, enrollmentId, NotificationKinds.Confirmed, "You are confirmed for %s")
                : new CeilingNotification(domainEvent.Id, request.UserId, evt.Id, enrollmentId, NotificationKinds.Waitlisted,
                    $"You are on the waitlist for %s (position {waiting})"));
        }

        return group;
    }

    /// <summary>Answers every request of the group, once its transaction committed.</summary>
    public void AnswerCommitted()
    {
        for (var i = 0; i < Requests.Count; i++)
        {
            Requests[i].Answer.TrySetResult(Outcomes[i]);
        }
    }
}

/// <summary>The notification a committed enrollment gets, as the consumer writes it; the message id is the domain event's.</summary>
/// <param name="Template">With <c>%s</c> where the event's title goes (PostgreSQL's <c>format</c>), as the consumer's.</param>
public sealed record CeilingNotification(Guid MessageId, Guid UserId, Guid EventId, Guid EnrollmentId, string Kind, string Template);
