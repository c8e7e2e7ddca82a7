using Microsoft.Extensions.Options;
using Npgsql;
using OrleansEnrollment.Mail;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Mail;

/// <summary>
/// Mail through the outbox to a real SMTP server: sent once, retried while the server refuses, never lost, and never
/// sent twice by two dispatchers at once. The test run's web apps send the same outbox to the same server, so some of
/// these mails may leave through their dispatchers: the checks count what arrived, whoever sent it.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class MailOutboxTests(PostgresFixture database) : IAsyncLifetime
{
    private readonly TestMailServer server = TestMailServer.Shared;
    private MailOutbox outbox = null!;
    private SmtpMailTransport transport = null!;
    private MailOptions options = null!;

    public Task InitializeAsync()
    {
        options = new MailOptions
        {
            From = "Enrollment tests <tests@enrollment.localhost>",
            Smtp = new SmtpOptions { Host = "127.0.0.1", Port = server.Port, Security = "None" },
            RetryDelay = TimeSpan.FromMilliseconds(200),
        };
        outbox = new MailOutbox(database.DataSource);
        transport = new SmtpMailTransport(new StaticOptions(options));
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        server.Refusing = false;
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_mail_is_sent_once_with_its_outbox_id_as_its_message_id()
    {
        var mail = OutgoingMail.To($"someone-{Guid.NewGuid():N}@test.local", "Hello", "A line of text.");
        await outbox.AddAsync(mail);

        await SendAllDueAsync();

        var received = Assert.Single(server.To(mail.Recipient));
        Assert.Equal("Hello", received.Subject);
        Assert.Equal("A line of text.", received.TextBody?.Trim());
        Assert.StartsWith(mail.Id.ToString("N"), received.MessageId);
        Assert.Equal((1, true), await StateOfAsync(mail.Id));
    }

    [Fact]
    public async Task A_mail_the_server_refuses_stays_in_the_outbox_and_is_sent_once_when_the_server_takes_it()
    {
        var mail = OutgoingMail.To($"someone-{Guid.NewGuid():N}@test.local", "Retry", "Sent on the second try.");
        await outbox.AddAsync(mail);
        server.Refusing = true;

        // Another test app's dispatcher may hold the row (and be refused) while ours skips it: wait for whoever tried.
        await Eventually.HoldsAsync(async () =>
        {
            await SendAllDueAsync();
            return (await StateOfAsync(mail.Id)).Attempts >= 1;
        }, TimeSpan.FromSeconds(10), "a refused attempt is recorded");
        Assert.Empty(server.To(mail.Recipient));
        Assert.False((await StateOfAsync(mail.Id)).Sent);

        server.Refusing = false;
        await Eventually.HoldsAsync(async () =>
        {
            await SendAllDueAsync();
            return (await StateOfAsync(mail.Id)).Sent;
        }, TimeSpan.FromSeconds(10), "the mail is sent once the server takes it");

        Assert.Single(server.To(mail.Recipient));
    }

    [Fact]
    public async Task Two_dispatchers_sending_at_once_send_each_mail_once()
    {
        var recipient = $"many-{Guid.NewGuid():N}@test.local";
        var mails = Enumerable.Range(0, 30).Select(i => OutgoingMail.To(recipient, $"Mail {i}", "Body")).ToList();
        foreach (var mail in mails)
        {
            await outbox.AddAsync(mail);
        }

        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(SendAllDueAsync)));
        // the web apps of the test run may have taken some of them: wait until they are all out
        await Eventually.HoldsAsync(async () =>
        {
            await SendAllDueAsync();
            return server.To(recipient).Count >= mails.Count;
        }, TimeSpan.FromSeconds(10), "every mail sent");
        await Task.Delay(500);

        Assert.Equal(mails.Select(mail => mail.Subject).Order(), server.To(recipient).Select(message => message.Subject).Order());
    }

    private async Task SendAllDueAsync()
    {
        while (await outbox.SendDueAsync(transport, options, limit: 5, CancellationToken.None) > 0)
        {
        }
    }

    private async Task<(int Attempts, bool Sent)> StateOfAsync(Guid id)
    {
        await using var command = database.DataSource.CreateCommand("SELECT attempts, sent_at IS NOT NULL FROM mail_outbox WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt32(0), reader.GetBoolean(1));
    }

    private sealed class StaticOptions(MailOptions value) : IOptionsMonitor<MailOptions>
    {
        public MailOptions CurrentValue => value;

        public MailOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<MailOptions, string?> listener) => null;
    }
}
