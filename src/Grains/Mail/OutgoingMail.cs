namespace OrleansEnrollment.Mail;

/// <summary>A plain-text mail to one recipient. <see cref="Id"/> is its outbox row and its Message-ID.</summary>
public sealed record OutgoingMail(Guid Id, string Recipient, string Subject, string Body)
{
    public static OutgoingMail To(string recipient, string subject, string body) => new(Guid.CreateVersion7(), recipient, subject, body);
}
