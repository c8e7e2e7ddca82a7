using System.Text;
using Microsoft.Extensions.Options;
using OrleansEnrollment.Calendar;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Mail;

namespace OrleansEnrollment.WebFrontend.Calendar;

/// <summary>An .ics file to download.</summary>
public sealed record CalendarFile(byte[] Content, string FileName);

public enum CalendarRefusal
{
    NoSuchEvent,

    /// <summary>The person holds no seat: waiting, offered (not accepted yet), cancelled or never enrolled.</summary>
    NoSeat,
}

/// <summary>
/// The calendar invitation of an event, for a person who holds a seat in it: the same file the confirmation mail
/// carries, served to the API (<c>/api/events/{id}/calendar.ics</c>) and to the event's page.
/// </summary>
public sealed class CalendarInvitations(EventCatalog catalog, IGrainFactory grains, IOptions<SiteOptions> site)
{
    public async Task<(CalendarFile? File, CalendarRefusal? Refusal)> ForAsync(Guid eventId, Guid userId, CancellationToken cancellationToken)
    {
        if (await catalog.FindAsync(eventId, cancellationToken) is not { } info)
        {
            return (null, CalendarRefusal.NoSuchEvent);
        }

        var enrollment = await grains.GetGrain<IEventCapacityGrain>(eventId).GetEnrollment(userId);
        if (enrollment is not { Status: EnrollmentStatus.Confirmed or EnrollmentStatus.CheckedIn or EnrollmentStatus.Attended })
        {
            return (null, CalendarRefusal.NoSeat);
        }

        var page = new Uri($"{site.Value.PublicBaseUrl.TrimEnd('/')}/app/events/{eventId}");
        var ics = EventInvitation.For(new InvitationDetails(info.Id, info.Title, info.StartsAt, info.EndsAt, info.Location, info.Description, page));
        return (new CalendarFile(Encoding.UTF8.GetBytes(ics), "event.ics"), null);
    }
}
