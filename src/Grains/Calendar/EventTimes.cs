using System.Globalization;

namespace OrleansEnrollment.Calendar;

/// <summary>Times as the people at an event read them: on the event's own clock, with the zone named.</summary>
public static class EventTimes
{
    /// <summary>e.g. "Sat 12 Dec 2026, 18:00 (Europe/Paris)"; an unknown zone falls back to UTC rather than failing a mail.</summary>
    public static string Format(DateTimeOffset at, string? timeZone)
    {
        var zone = Find(timeZone);
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return $"{local.ToString("ddd d MMM yyyy, HH:mm", CultureInfo.InvariantCulture)} ({(zone == TimeZoneInfo.Utc ? "UTC" : zone.Id)})";
    }

    public static TimeZoneInfo Find(string? timeZone) =>
        !string.IsNullOrEmpty(timeZone) && TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone) ? zone : TimeZoneInfo.Utc;
}
