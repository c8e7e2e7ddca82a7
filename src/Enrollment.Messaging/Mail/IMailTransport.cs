namespace OrleansEnrollment.Mail;

/// <summary>Hands a mail to a mail server; throws when it was not taken.</summary>
public interface IMailTransport
{
    Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken);
}
