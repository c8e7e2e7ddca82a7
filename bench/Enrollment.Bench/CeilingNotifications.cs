using System.Diagnostics;
using System.Threading.Channels;
using Npgsql;
using OrleansEnrollment.Notifications;

namespace OrleansEnrollment.Bench;

/// <summary>
/// The ceiling's notifications, written as the notification consumer writes its batches: up to 200 messages per
/// transaction, two transactions at a time (its MassTransit batch options), each one statement that inserts the inbox
/// rows and, for the messages whose inbox row it inserted, the notifications with the event's title, and looks up the
/// mails to send (people with an account and mail on), then COMMIT. The inbox rows carry the consumer's own name, so the
/// silo's consumption check counts these events as consumed. A batch takes what is waiting and does not wait 20 ms
/// for company as the consumer's does: under load the batches fill anyway, and the ceiling should not idle.
/// </summary>
public sealed class CeilingNotifications
{
    // EnrollmentNotificationConsumerDefinition's message limit and concurrency.
    private const int MessageLimit = EnrollmentNotificationConsumerDefinition.MessageLimit;
    private const int Writers = 2;

    private readonly NpgsqlDataSource dataSource;
    private readonly Channel<CeilingNotification> waiting = Channel.CreateUnbounded<CeilingNotification>();
    private readonly Task[] loops;
    private long mails;

    public CeilingNotifications(NpgsqlDataSource dataSource)
    {
        this.dataSource = dataSource;
        loops = Enumerable.Range(0, Writers).Select(_ => Task.Run(RunAsync)).ToArray();
    }

    public StageTally Tally { get; } = new("notifications (inbox + notifications + mail lookup, COMMIT)");

    /// <summary>Mails the statement found to send: none in the bench, whose users have no account (as in hot).</summary>
    public long Mails => Interlocked.Read(ref mails);

    public void Add(List<CeilingNotification> notifications)
    {
        foreach (var notification in notifications)
        {
            waiting.Writer.TryWrite(notification);
        }
    }

    public async Task CompleteAsync()
    {
        waiting.Writer.TryComplete();
        await Task.WhenAll(loops);
    }

    private async Task RunAsync()
    {
        var batch = new List<CeilingNotification>(MessageLimit);
        while (await waiting.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MessageLimit && waiting.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                Interlocked.Add(ref mails, await WriteAsync(batch));
                Tally.Done(batch.Count, started);
            }
            catch (Exception exception)
            {
                // Missing notifications make the settle wait time out, and the run reports it.
                Tally.Failed(exception);
            }
        }
    }

    private async Task<int> WriteAsync(List<CeilingNotification> batch)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(
            """
            WITH fresh AS (
                INSERT INTO inbox (consumer, message_id)
                SELECT $1, message_id FROM unnest($2::uuid[]) AS m(message_id)
                ON CONFLICT DO NOTHING
                RETURNING message_id
            ), written AS (
                INSERT INTO notifications (id, user_id, event_id, enrollment_id, kind, message, source_message_id)
                SELECT n.id, n.user_id, e.id, n.enrollment_id, n.kind, format(n.template, e.title), n.message_id
                  FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::text[], $8::text[])
                       WITH ORDINALITY AS n(message_id, id, user_id, event_id, enrollment_id, kind, template, position)
                  JOIN fresh f ON f.message_id = n.message_id
                  JOIN events e ON e.id = n.event_id
                 ORDER BY n.position
                RETURNING source_message_id, user_id, event_id, kind
            )
            SELECT w.source_message_id, u.email, u.display_name, e.title, e.starts_at
              FROM written w
              JOIN users u ON u.id = w.user_id AND u.email_notifications
              JOIN events e ON e.id = w.event_id
             WHERE w.kind = ANY($9)
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = EnrollmentNotificationConsumer.InboxName });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = batch.Select(n => n.MessageId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = batch.Select(_ => Guid.CreateVersion7()).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = batch.Select(n => n.UserId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = batch.Select(n => n.EventId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = batch.Select(n => n.EnrollmentId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = batch.Select(n => n.Kind).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = batch.Select(n => n.Template).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [NotificationKinds.Confirmed, NotificationKinds.Waitlisted] });

        // The bench's users have no account, so no mail is due (as in hot); one would go into mail_outbox here.
        var found = 0;
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                found++;
            }
        }

        await transaction.CommitAsync();
        return found;
    }
}
