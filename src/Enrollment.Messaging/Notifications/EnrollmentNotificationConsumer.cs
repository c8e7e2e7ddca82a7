using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;
using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Mail;
using OrleansEnrollment.Outbox;

namespace OrleansEnrollment.Notifications;

/// <summary>
/// Tells users what happened to their enrollment by storing a notification. The bus delivers at least once, so each
/// message id goes into the inbox in the same statement as its notification: a redelivery finds it there and writes
/// nothing. Messages arrive in batches (see <see cref="EnrollmentNotificationConsumerDefinition"/>) so that a burst of
/// enrollments costs one transaction per batch instead of one per message. The same transaction adds the mails of
/// those notifications to the mail outbox; where the process also sends mail (a co-hosted web frontend), its dispatcher
/// is woken, and elsewhere the frontends' dispatchers find the mails on their next poll.
/// </summary>
public sealed class EnrollmentNotificationConsumer(NpgsqlDataSource dataSource, IOptions<SiteOptions> site, MailOutbox? mailOutbox = null)
    : IConsumer<Batch<EnrollmentConfirmed>>, IConsumer<Batch<EnrollmentWaitlisted>>, IConsumer<Batch<EnrollmentPromoted>>,
        IConsumer<Batch<EnrollmentCancelled>>, IConsumer<Batch<EnrollmentOffered>>, IConsumer<Batch<OfferAccepted>>,
        IConsumer<Batch<OfferDeclined>>, IConsumer<Batch<OfferExpired>>
{
    public const string InboxName = "enrollment-notifications";

    /// <summary>
    /// The outbox type names of the domain events consumed here, read off the consumer's own interfaces so that the
    /// consumption check never waits for an inbox row this consumer would not write.
    /// </summary>
    public static IReadOnlyList<string> HandledEventTypes { get; } = typeof(EnrollmentNotificationConsumer).GetInterfaces()
        .Where(contract => contract.IsGenericType && contract.GetGenericTypeDefinition() == typeof(IConsumer<>))
        .Select(contract => contract.GetGenericArguments()[0])
        .Where(message => message.IsGenericType && message.GetGenericTypeDefinition() == typeof(Batch<>))
        .Select(batch => DomainEventJson.TypeName(batch.GetGenericArguments()[0]))
        .ToList();

    public Task Consume(ConsumeContext<Batch<EnrollmentConfirmed>> context) =>
        NotifyAsync(context, NotificationKinds.Confirmed, _ => "You are confirmed for %s");

    public Task Consume(ConsumeContext<Batch<EnrollmentWaitlisted>> context) =>
        NotifyAsync(context, NotificationKinds.Waitlisted, waitlisted => $"You are on the waitlist for %s (position {WaitingRank(waitlisted)})");

    // The rank the user was shown when they joined; events written before it was recorded carry only the position.
    private static int WaitingRank(EnrollmentWaitlisted waitlisted) => waitlisted.Rank > 0 ? waitlisted.Rank : waitlisted.Position;

    public Task Consume(ConsumeContext<Batch<EnrollmentPromoted>> context) =>
        NotifyAsync(context, NotificationKinds.Promoted, _ => "A seat opened: you are now confirmed for %s");

    public Task Consume(ConsumeContext<Batch<EnrollmentCancelled>> context) =>
        NotifyAsync(context, NotificationKinds.Cancelled, _ => "Your enrollment in %s was cancelled");

    // The link is the event's page, where the offer has its Accept and Decline buttons; the time is UTC, as stored.
    public Task Consume(ConsumeContext<Batch<EnrollmentOffered>> context) =>
        NotifyAsync(context, NotificationKinds.Offered, offered =>
            $"A seat in %s is held for you until {offered.ExpiresAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC: accept it at /app/events/{offered.EventId}");

    public Task Consume(ConsumeContext<Batch<OfferAccepted>> context) =>
        NotifyAsync(context, NotificationKinds.OfferAccepted, _ => "You accepted the seat: you are confirmed for %s");

    public Task Consume(ConsumeContext<Batch<OfferDeclined>> context) =>
        NotifyAsync(context, NotificationKinds.OfferDeclined, _ => "You declined the seat offered to you in %s");

    public Task Consume(ConsumeContext<Batch<OfferExpired>> context) =>
        NotifyAsync(context, NotificationKinds.OfferExpired, _ => "The seat held for you in %s was given to the next person: your offer expired");

    /// <param name="template">The message, with <c>%s</c> where the event's title goes (PostgreSQL's <c>format</c>).</param>
    private async Task NotifyAsync<T>(ConsumeContext<Batch<T>> context, string kind, Func<T, string> template)
        where T : EnrollmentEvent
    {
        // A batch may hold the same message twice (a redelivery racing the original): keep the first, since the
        // statement below would otherwise pair both copies with the one inbox row it inserts.
        var seen = new HashSet<Guid>();
        var notifications = new List<NotificationToWrite>(context.Message.Length);
        foreach (var message in context.Message)
        {
            var domainEvent = message.Message;
            var messageId = message.MessageId ?? domainEvent.Id;
            if (seen.Add(messageId))
            {
                notifications.Add(new NotificationToWrite(messageId, domainEvent, kind, template(domainEvent)));
            }
        }

        if (await NotificationWriter.WriteAsync(dataSource, InboxName, notifications, site.Value.PublicBaseUrl, context.CancellationToken) > 0)
        {
            mailOutbox?.Added();
        }
    }
}
