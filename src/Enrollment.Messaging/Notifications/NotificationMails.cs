using System.Globalization;
using OrleansEnrollment.Calendar;
using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Mail;

namespace OrleansEnrollment.Notifications;

/// <summary>Who a notification mail goes to, and the event it is about, as the database has them.</summary>
internal sealed record MailRecipient(
    Guid MessageId, string Email, string DisplayName, string Title, DateTimeOffset StartsAt, DateTimeOffset? EndsAt, string Location,
    string Description, string TimeZone);

/// <summary>
/// The mail for each kind of notification a person would want in their inbox: a seat (with the calendar invitation), a
/// place in line, a seat held for them and its deadline, an offer that ran out, and a cancellation by an organizer.
/// What the person just did themself (cancelling, declining) is not mailed back to them.
/// </summary>
internal static class NotificationMails
{
    /// <summary>The notification kinds that may be mailed (a cancellation only when someone else made it).</summary>
    public static readonly string[] MailedKinds =
    [
        NotificationKinds.Confirmed, NotificationKinds.Waitlisted, NotificationKinds.Promoted, NotificationKinds.Offered,
        NotificationKinds.OfferAccepted, NotificationKinds.OfferExpired, NotificationKinds.Cancelled,
    ];

    public static OutgoingMail? For(EnrollmentEvent domainEvent, MailRecipient to, string publicBaseUrl)
    {
        var page = new Uri($"{publicBaseUrl.TrimEnd('/')}/app/events/{domainEvent.EventId}");
        var when = to.Location.Length > 0 ? $"{EventTimes.Format(to.StartsAt, to.TimeZone)} at {to.Location}" : EventTimes.Format(to.StartsAt, to.TimeZone);
        var (subject, text, invite) = domainEvent switch
        {
            EnrollmentConfirmed => ($"You are confirmed: {to.Title}", $"You have a seat at {to.Title}, {when}.", true),
            EnrollmentWaitlisted waitlisted => ($"You are on the waitlist: {to.Title}",
                $"{to.Title} ({when}) is full, so you are on its waitlist, at position {Rank(waitlisted)}. " +
                "We will write again when a seat is yours.", false),
            EnrollmentPromoted => ($"A seat opened: you are confirmed for {to.Title}",
                $"A seat opened at {to.Title}, {when}, and it is yours: you are confirmed.", true),
            EnrollmentOffered offered => ($"A seat is held for you: {to.Title}",
                $"A seat opened at {to.Title}, {when}, and it is held for you until {EventTimes.Format(offered.ExpiresAt, to.TimeZone)}. " +
                "Accept it on the event's page before then, or it goes to the next person waiting.", false),
            OfferAccepted => ($"You are confirmed: {to.Title}", $"You accepted the seat held for you: you are confirmed for {to.Title}, {when}.", true),
            OfferExpired => ($"The seat held for you has gone: {to.Title}",
                $"The seat held for you at {to.Title} was not accepted in time, so it went to the next person waiting. " +
                "You can enroll again if the event has room.", false),
            EnrollmentCancelled { ByAnotherPerson: true } => ($"Your enrollment was cancelled: {to.Title}",
                $"An organizer cancelled your enrollment in {to.Title} ({when}). Your seat or place in line is given up.", false),
            _ => (null, null, false),
        };
        if (subject is null || text is null)
        {
            return null;
        }

        var body = $"""
            Hello {to.DisplayName},

            {text}

            The event: {page}
            {(invite ? "\nThe calendar invitation is attached (invite.ics).\n" : "")}
            --
            You get these mails because e-mail notifications are on for your account.
            Turn them off on your account page: {publicBaseUrl.TrimEnd('/')}/app/account
            """;
        var calendar = invite
            ? EventInvitation.For(new InvitationDetails(domainEvent.EventId, to.Title, to.StartsAt, to.EndsAt, to.Location, to.Description, page))
            : null;
        return new OutgoingMail(Guid.CreateVersion7(), to.Email, subject, body, calendar);
    }

    private static string Rank(EnrollmentWaitlisted waitlisted) =>
        (waitlisted.Rank > 0 ? waitlisted.Rank : waitlisted.Position).ToString(CultureInfo.InvariantCulture);
}
