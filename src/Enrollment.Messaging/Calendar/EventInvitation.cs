using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;

namespace OrleansEnrollment.Calendar;

/// <summary>What a calendar needs to know about an event.</summary>
public sealed record InvitationDetails(
    Guid EventId, string Title, DateTimeOffset StartsAt, DateTimeOffset? EndsAt, string? Location, string? Description, Uri Page);

/// <summary>
/// An event as an iCalendar (RFC 5545) file: sent with the mail that confirms a seat and served to people holding one.
/// The UID is the event's, so a second invitation (a promotion after a cancellation, a new download) updates the entry
/// already in the person's calendar instead of adding another. Times are written in UTC, which every client converts.
/// </summary>
public static class EventInvitation
{
    public const string ContentType = "text/calendar";

    public static string For(InvitationDetails details)
    {
        var start = new CalDateTime(details.StartsAt.UtcDateTime);
        var entry = new CalendarEvent
        {
            Uid = $"{details.EventId:N}@orleans-enrollment",
            Summary = details.Title,
            Start = start,
            // RFC 5545: with no end, a timed event ends when it starts; two hours is what a reader would assume.
            End = details.EndsAt is { } ends ? new CalDateTime(ends.UtcDateTime) : start.AddHours(2),
            Location = string.IsNullOrWhiteSpace(details.Location) ? null : details.Location,
            Description = string.IsNullOrWhiteSpace(details.Description) ? details.Page.ToString() : $"{details.Description}\n\n{details.Page}",
            Url = details.Page,
            DtStamp = new CalDateTime(DateTime.UtcNow),
        };
        var calendar = new Ical.Net.Calendar { Method = "PUBLISH", ProductId = "-//Orleans Enrollment//EN" };
        calendar.Events.Add(entry);
        return new CalendarSerializer().SerializeToString(calendar) ?? throw new InvalidOperationException("The invitation did not serialize.");
    }
}
