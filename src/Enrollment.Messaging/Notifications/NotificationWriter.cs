using Npgsql;
using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Mail;

namespace OrleansEnrollment.Notifications;

/// <summary>One notification to store for a consumed message.</summary>
/// <param name="Template">The message, with <c>%s</c> where the event's title goes (PostgreSQL's <c>format</c>).</param>
internal sealed record NotificationToWrite(Guid MessageId, EnrollmentEvent DomainEvent, string Kind, string Template);

/// <summary>Writes a batch of notifications, their inbox rows and the mails they send, in one transaction.</summary>
internal static class NotificationWriter
{
    /// <summary>
    /// The inbox rows and the notifications of the messages not handled before, and the mails of those notifications
    /// for people who keep e-mail on, atomically. Only the messages whose inbox row this transaction inserted get a
    /// notification and a mail, so a redelivery, even one consumed concurrently by another batch, writes nothing (the
    /// second insert waits for the first and then skips). <paramref name="notifications"/> must not repeat a message id.
    /// </summary>
    /// <returns>How many mails were added to the mail outbox.</returns>
    public static async Task<int> WriteAsync(
        NpgsqlDataSource dataSource, string consumer, IReadOnlyList<NotificationToWrite> notifications, string publicBaseUrl,
        CancellationToken cancellationToken)
    {
        if (notifications.Count == 0)
        {
            return 0;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            WITH fresh AS (
                INSERT INTO inbox (consumer, message_id)
                SELECT $1, message_id FROM unnest($2::uuid[]) AS m(message_id)
                ON CONFLICT DO NOTHING
                RETURNING message_id
            ), written AS (
                INSERT INTO notifications (id, user_id, event_id, enrollment_id, kind, message, source_message_id)
                SELECT d.id, d.user_id, e.id, d.enrollment_id, d.kind, format(d.template, e.title), d.message_id
                  FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::text[], $8::text[])
                       WITH ORDINALITY AS d(message_id, id, user_id, event_id, enrollment_id, kind, template, n)
                  JOIN fresh f ON f.message_id = d.message_id
                  JOIN events e ON e.id = d.event_id
                 ORDER BY d.n
                RETURNING source_message_id, user_id, event_id, kind
            )
            SELECT w.source_message_id, u.email, u.display_name, e.title, e.starts_at, e.ends_at, e.location, e.description, e.time_zone
              FROM written w
              JOIN users u ON u.id = w.user_id AND u.email_notifications
              JOIN events e ON e.id = w.event_id
             WHERE w.kind = ANY($9)
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = consumer });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = notifications.Select(n => n.MessageId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = notifications.Select(_ => Guid.CreateVersion7()).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = notifications.Select(n => n.DomainEvent.UserId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = notifications.Select(n => n.DomainEvent.EventId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = notifications.Select(n => n.DomainEvent.EnrollmentId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = notifications.Select(n => n.Kind).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = notifications.Select(n => n.Template).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = NotificationMails.MailedKinds });

        var byMessage = notifications.ToDictionary(n => n.MessageId);
        var mails = new List<OutgoingMail>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var recipient = new MailRecipient(
                    reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4),
                    reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5), reader.GetString(6), reader.GetString(7), reader.GetString(8));
                if (NotificationMails.For(byMessage[recipient.MessageId].DomainEvent, recipient, publicBaseUrl) is { } mail)
                {
                    mails.Add(mail);
                }
            }
        }

        await MailOutbox.AddAsync(connection, transaction, mails, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return mails.Count;
    }
}
