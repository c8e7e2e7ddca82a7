using Npgsql;

namespace OrleansEnrollment.Mail;

/// <summary>
/// The mails waiting to be sent (table <c>mail_outbox</c>). A mail is added in the transaction of what caused it, so it
/// exists exactly when that committed; <see cref="SendDueAsync"/> sends what is due.
/// </summary>
public sealed class MailOutbox(NpgsqlDataSource dataSource)
{
    private readonly SemaphoreSlim added = new(0, 1);

    /// <summary>Completes when a mail was added in this process since the last wait (or at once, if one was).</summary>
    public Task WaitForNewMailAsync(TimeSpan timeout, CancellationToken cancellationToken) => added.WaitAsync(timeout, cancellationToken);

    /// <summary>Adds mails inside the caller's transaction; call <see cref="Added"/> once it committed.</summary>
    public static async Task AddAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<OutgoingMail> mails, CancellationToken cancellationToken)
    {
        if (mails.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(
            """
            INSERT INTO mail_outbox (id, recipient, subject, body, calendar)
            SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = mails.Select(mail => mail.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = mails.Select(mail => mail.Recipient).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = mails.Select(mail => mail.Subject).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = mails.Select(mail => mail.Body).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = mails.Select(mail => mail.Calendar).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Adds one mail on its own.</summary>
    public async Task AddAsync(OutgoingMail mail, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await AddAsync(connection, null, [mail], cancellationToken);
        Added();
    }

    /// <summary>Wakes this process's dispatcher: mail was just committed.</summary>
    public void Added()
    {
        if (added.CurrentCount == 0)
        {
            try
            {
                added.Release();
            }
            catch (SemaphoreFullException)
            {
                // woken already
            }
        }
    }

    /// <summary>
    /// Sends up to <paramref name="limit"/> due mails, oldest first. Their rows stay locked while they are sent, so
    /// another dispatcher skips them; each is then marked sent, or given a later attempt with the error.
    /// </summary>
    /// <returns>How many mails were due (sent or not).</returns>
    public async Task<int> SendDueAsync(IMailTransport transport, MailOptions options, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var due = new List<(OutgoingMail Mail, int Attempts)>();
        await using (var claim = new NpgsqlCommand(
            """
            SELECT id, recipient, subject, body, attempts, calendar FROM mail_outbox
             WHERE sent_at IS NULL AND next_attempt_at <= now()
             ORDER BY next_attempt_at
             LIMIT $1
               FOR UPDATE SKIP LOCKED
            """, connection, transaction))
        {
            claim.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var calendar = reader.IsDBNull(5) ? null : reader.GetString(5);
                due.Add((new OutgoingMail(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), calendar), reader.GetInt32(4)));
            }
        }

        foreach (var (mail, attempts) in due)
        {
            string? error = null;
            try
            {
                await transport.SendAsync(mail, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                error = $"{exception.GetType().Name}: {exception.Message}";
            }

            await using var mark = new NpgsqlCommand(
                error is null
                    ? "UPDATE mail_outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1"
                    : "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = now() + $3 WHERE id = $1",
                connection, transaction);
            mark.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = mail.Id });
            if (error is not null)
            {
                mark.Parameters.Add(new NpgsqlParameter<string> { TypedValue = error[..Math.Min(error.Length, 1000)] });
                mark.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = RetryDelay(options, attempts) });
            }

            await mark.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return due.Count;
    }

    private static TimeSpan RetryDelay(MailOptions options, int attempts)
    {
        var delay = options.RetryDelay * Math.Pow(2, Math.Min(attempts, 20));
        return delay < options.MaxRetryDelay ? delay : options.MaxRetryDelay;
    }
}
