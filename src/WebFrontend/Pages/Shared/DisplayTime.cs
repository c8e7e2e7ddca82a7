using System.Globalization;
using OrleansEnrollment.Calendar;
using OrleansEnrollment.Catalog;

namespace OrleansEnrollment.WebFrontend.Pages.Shared;

/// <summary>
/// How pages show instants. An event's own times (start, end) in the event's time zone, named, since that is the clock
/// on the wall where it happens; every other instant (deadlines, audit rows) in UTC, labelled, so nobody mistakes server
/// time for their own.
/// </summary>
public static class DisplayTime
{
    public static string Format(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>The machine-readable form for a <c>&lt;time datetime&gt;</c> attribute.</summary>
    public static string Iso(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>The wall-clock time in the zone, with the zone's name: "Sat 12 Dec 2026, 18:00 (Europe/Paris)".</summary>
    public static string InZone(DateTimeOffset instant, string timeZone) => EventTimes.Format(instant, timeZone);

    /// <summary>The wall-clock time in the zone, as a form's datetime-local field shows it (no offset).</summary>
    public static DateTime Local(DateTimeOffset instant, string timeZone) =>
        TimeZoneInfo.ConvertTime(instant, EventDetails.ZoneOf(timeZone)).DateTime;
}

/// <summary>An event's own time (its start or end) and the zone it is shown in; the model of <c>_EventTime</c>.</summary>
public sealed record EventTime(DateTimeOffset At, string TimeZone);
