using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace OrleansEnrollment.Mail;

/// <summary>SMTP through MailKit: one connection per batch of mails the dispatcher sends.</summary>
public sealed class SmtpMailTransport(IOptionsMonitor<MailOptions> options) : IMailTransport
{
    public async Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var smtp = settings.Smtp;
        var message = new MimeMessage
        {
            // The outbox id: a mail sent again after a crash is recognisably the same mail.
            MessageId = $"{mail.Id:N}@{MessageIdDomain(settings.From)}",
            Subject = mail.Subject,
            Body = new TextPart("plain") { Text = mail.Body },
        };
        message.From.Add(MailboxAddress.Parse(settings.From));
        message.To.Add(MailboxAddress.Parse(mail.Recipient));

        using var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        var host = smtp.Host ?? throw new InvalidOperationException("No mail server is configured (Email:Smtp:Host).");
        await client.ConnectAsync(host, smtp.Port, Security(smtp.Security), cancellationToken);
        if (!string.IsNullOrEmpty(smtp.Username))
        {
            await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }

    private static SecureSocketOptions Security(string name) =>
        Enum.TryParse<SecureSocketOptions>(name, ignoreCase: true, out var security)
            ? security
            : throw new InvalidOperationException($"Email:Smtp:Security is '{name}'; use None, StartTls, StartTlsWhenAvailable, SslOnConnect or Auto.");

    private static string MessageIdDomain(string from) =>
        MailboxAddress.TryParse(from, out var address) && address.Domain is { Length: > 0 } domain ? domain : "enrollment.localhost";
}
