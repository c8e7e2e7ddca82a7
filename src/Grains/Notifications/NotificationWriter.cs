using Npgsql;
using OrleansEnrollment.DomainEvents;

namespace OrleansEnrollment.Notifications;

/// <summary>One notification to store for a consumed message.</summary>
/// <param name="Template">The message, with <c>%s</c> where the event's title goes (PostgreSQL's <c>format</c>).</param>
internal sealed record NotificationToWrite(Guid MessageId, EnrollmentEvent DomainEvent, string Kind, string Template);

/// <summary>Writes a batch of notifications and their inbox rows in one statement.</summary>
internal static class NotificationWriter
{
    /// <summary>
    /// The inbox rows and the notifications of the messages not handled before, atomically: one statement is one
    /// transaction. Only the messages whose inbox row this statement inserted get a notification, so a redelivery,
    /// even one consumed concurrently by another batch, writes nothing (the second insert waits for the first and
    /// then skips). <paramref name="notifications"/> must not repeat a message id.
    /// </summary>
    public static async Task WriteAsync(
        NpgsqlDataSource dataSource, string consumer, IReadOnlyList<NotificationToWrite> notifications, CancellationToken cancellationToken)
    {
        if (notifications.Count == 0)
        {
            return;
        }

        await using var command = dataSource.CreateCommand(
            """
            WITH fresh AS (
                INSERT INTO inbox (consumer, message_id)
                SELECT $1, message_id FROM unnest($2::uuid[]) AS m(message_id)
                ON CONFLICT DO NOTHING
                RETURNING message_id
            )
            INSERT INTO notifications (id, user_id, event_id, enrollment_id, kind, message, source_message_id)
            SELECT d.id, d.user_id, e.id, d.enrollment_id, d.kind, format(d.template, e.title), d.message_id
              FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::text[], $8::text[])
                   WITH ORDINALITY AS d(message_id, id, user_id, event_id, enrollment_id, kind, template, n)
              JOIN fresh f ON f.message_id = d.message_id
              JOIN events e ON e.id = d.event_id
             ORDER BY d.n
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = consumer });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = notifications.Select(n => n.MessageId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = notifications.Select(_ => Guid.CreateVersion7()).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = notifications.Select(n => n.DomainEvent.UserId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = notifications.Select(n => n.DomainEvent.EventId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = notifications.Select(n => n.DomainEvent.EnrollmentId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = notifications.Select(n => n.Kind).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = notifications.Select(n => n.Template).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
