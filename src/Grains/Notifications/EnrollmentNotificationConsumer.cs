using MassTransit;
using Npgsql;
using OrleansEnrollment.DomainEvents;

namespace OrleansEnrollment.Notifications;

/// <summary>
/// Tells users what happened to their enrollment by storing a notification. The bus delivers at least once, so the
/// message id goes into the inbox in the same transaction as the notification: a redelivery finds it there and
/// writes nothing.
/// </summary>
public sealed class EnrollmentNotificationConsumer(NpgsqlDataSource dataSource)
    : IConsumer<EnrollmentConfirmed>, IConsumer<EnrollmentWaitlisted>, IConsumer<EnrollmentPromoted>, IConsumer<EnrollmentCancelled>
{
    public const string InboxName = "enrollment-notifications";

    public Task Consume(ConsumeContext<EnrollmentConfirmed> context) =>
        NotifyAsync(context, NotificationKinds.Confirmed, "You are confirmed for %s");

    public Task Consume(ConsumeContext<EnrollmentWaitlisted> context) =>
        NotifyAsync(context, NotificationKinds.Waitlisted, $"You are on the waitlist for %s (position {WaitingRank(context.Message)})");

    // The rank the user was shown when they joined; events written before it was recorded carry only the position.
    private static int WaitingRank(EnrollmentWaitlisted waitlisted) => waitlisted.Rank > 0 ? waitlisted.Rank : waitlisted.Position;

    public Task Consume(ConsumeContext<EnrollmentPromoted> context) =>
        NotifyAsync(context, NotificationKinds.Promoted, "A seat opened: you are now confirmed for %s");

    public Task Consume(ConsumeContext<EnrollmentCancelled> context) =>
        NotifyAsync(context, NotificationKinds.Cancelled, "Your enrollment in %s was cancelled");

    /// <param name="template">The message, with <c>%s</c> where the event's title goes (PostgreSQL's <c>format</c>).</param>
    private async Task NotifyAsync<T>(ConsumeContext<T> context, string kind, string template)
        where T : EnrollmentEvent
    {
        var domainEvent = context.Message;
        var messageId = context.MessageId ?? domainEvent.Id;

        await using var connection = await dataSource.OpenConnectionAsync(context.CancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(context.CancellationToken);
        await using (var inbox = new NpgsqlCommand(
            "INSERT INTO inbox (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", connection, transaction))
        {
            inbox.Parameters.Add(new NpgsqlParameter<string> { TypedValue = InboxName });
            inbox.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = messageId });
            if (await inbox.ExecuteNonQueryAsync(context.CancellationToken) == 0)
            {
                return; // handled before: a redelivery
            }
        }

        await using (var notify = new NpgsqlCommand(
            """
            INSERT INTO notifications (id, user_id, event_id, enrollment_id, kind, message, source_message_id)
            SELECT $1, $2, e.id, $3, $4, format($5, e.title), $6
              FROM events e
             WHERE e.id = $7
            """, connection, transaction))
        {
            notify.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.CreateVersion7() });
            notify.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = domainEvent.UserId });
            notify.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = domainEvent.EnrollmentId });
            notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kind });
            notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = template });
            notify.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = messageId });
            notify.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = domainEvent.EventId });
            await notify.ExecuteNonQueryAsync(context.CancellationToken);
        }

        await transaction.CommitAsync(context.CancellationToken);
    }
}
