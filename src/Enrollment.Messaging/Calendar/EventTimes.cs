using System.Globalization;
using OrleansEnrollment.Catalog;

namespace OrleansEnrollment.Calendar;

/// <summary>An event's own times as the people at it read them: on the event's clock, with the zone named.</summary>
public static class EventTimes
{
    /// <summary>The wall-clock time in the zone, with the zone's name: "Sat 12 Dec 2026, 18:00 (Europe/Paris)".</summary>
    public static string Format(DateTimeOffset instant, string timeZone) =>
        TimeZoneInfo.ConvertTime(instant, EventDetails.ZoneOf(timeZone)).ToString("ddd d MMM yyyy, HH:mm", CultureInfo.InvariantCulture) +
        $" ({timeZone})";
}
