namespace OrleansEnrollment.Mail;

/// <summary>A plain-text mail to one recipient. <see cref="Id"/> is its outbox row and its Message-ID.</summary>
/// <param name="Calendar">An iCalendar invitation sent along as <c>invite.ics</c>, or null.</param>
public sealed record OutgoingMail(Guid Id, string Recipient, string Subject, string Body, string? Calendar = null)
{
    public static OutgoingMail To(string recipient, string subject, string body) => new(Guid.CreateVersion7(), recipient, subject, body);
}
