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
            Body = BodyOf(mail),
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

    // Text alone, or text and the invitation as an attachment mail clients offer to add to a calendar.
    private static MimeEntity BodyOf(OutgoingMail mail)
    {
        var text = new TextPart("plain") { Text = mail.Body };
        if (mail.Calendar is null)
        {
            return text;
        }

        var invitation = new TextPart("calendar") { Text = mail.Calendar, FileName = "invite.ics" };
        invitation.ContentType.Parameters.Add("method", "PUBLISH");
        invitation.ContentType.Charset = "utf-8";
        return new Multipart("mixed") { text, invitation };
    }

    private static SecureSocketOptions Security(string name) =>
        Enum.TryParse<SecureSocketOptions>(name, ignoreCase: true, out var security)
            ? security
            : throw new InvalidOperationException($"Email:Smtp:Security is '{name}'; use None, StartTls, StartTlsWhenAvailable, SslOnConnect or Auto.");

    private static string MessageIdDomain(string from) =>
        MailboxAddress.TryParse(from, out var address) && address.Domain is { Length: > 0 } domain ? domain : "enrollment.localhost";
}
