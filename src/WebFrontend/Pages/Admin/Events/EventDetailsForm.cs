using Microsoft.AspNetCore.Mvc.ModelBinding;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.WebFrontend.Api;
using OrleansEnrollment.WebFrontend.Pages.Shared;

namespace OrleansEnrollment.WebFrontend.Pages.Admin.Events;

/// <summary>
/// The event details as the admin forms (New, Manage) take them. Times are typed as the clock reads where the event
/// happens, in the zone the form names, and turned into instants here; the rule itself is <see cref="EventDetails"/>'s.
/// </summary>
public sealed class EventDetailsForm
{
    public string? Title { get; set; }

    /// <summary>The IANA zone of the event; the two times below are read in it.</summary>
    public string? TimeZone { get; set; } = EventDetails.DefaultTimeZone;

    /// <summary>A datetime-local value: the wall-clock time in <see cref="TimeZone"/>, no offset.</summary>
    public DateTime? StartsAt { get; set; }

    public DateTime? EndsAt { get; set; }

    public string? Location { get; set; }

    public string? Description { get; set; }

    /// <summary>Every zone this machine knows, for the form's suggestion list.</summary>
    public static IReadOnlyList<string> KnownTimeZones { get; } = TimeZoneInfo.GetSystemTimeZones()
        .Select(zone => zone.Id).Where(EventDetails.IsKnownTimeZone).Order(StringComparer.Ordinal).ToList();

    public static EventDetailsForm From(EventDetails details) => new()
    {
        Title = details.Title,
        TimeZone = details.TimeZone,
        StartsAt = DisplayTime.Local(details.StartsAt, details.TimeZone),
        EndsAt = details.EndsAt is { } ends ? DisplayTime.Local(ends, details.TimeZone) : null,
        Location = details.Location,
        Description = details.Description,
    };

    /// <summary>
    /// The details this form describes, or null when they are not acceptable: then each problem is in
    /// <paramref name="modelState"/> under <paramref name="prefix"/> and the form's property name.
    /// </summary>
    public EventDetails? ToDetails(ModelStateDictionary modelState, string prefix)
    {
        string Key(string property) => $"{prefix}.{property}";
        var timeZone = string.IsNullOrWhiteSpace(TimeZone) ? EventDetails.DefaultTimeZone : TimeZone.Trim();
        var zone = EventDetails.IsKnownTimeZone(timeZone) ? EventDetails.ZoneOf(timeZone) : null;
        if (StartsAt is null && modelState.GetFieldValidationState(Key(nameof(StartsAt))) != ModelValidationState.Invalid)
        {
            modelState.AddModelError(Key(nameof(StartsAt)), "Enter when the event starts.");
        }

        var startsAt = ToInstant(StartsAt, zone, Key(nameof(StartsAt)), modelState);
        var endsAt = ToInstant(EndsAt, zone, Key(nameof(EndsAt)), modelState);
        var problems = new Dictionary<string, string[]>();
        var details = EventDetailsInput.Check(
            new EventDetails(Title ?? "", startsAt ?? DateTimeOffset.MinValue, endsAt, Description ?? "", Location ?? "", timeZone), problems);
        foreach (var (field, messages) in problems)
        {
            // the API's field names are the form's property names in camelCase; no end time is judged without a start
            if (field != "endsAt" || startsAt is not null)
            {
                modelState.AddModelError(Key(char.ToUpperInvariant(field[0]) + field[1..]), messages[0]);
            }
        }

        // Only this form's fields count: a page may bind other forms' fields too, which this post did not send.
        return modelState.FindKeysWithPrefix(prefix).Any(entry => entry.Value.Errors.Count > 0) ? null : details;
    }

    /// <summary>A wall-clock time in the zone as an instant; a time the clocks skip (moving forward) is a problem, not a guess.</summary>
    private static DateTimeOffset? ToInstant(DateTime? local, TimeZoneInfo? zone, string key, ModelStateDictionary modelState)
    {
        if (local is not { } wallClock || zone is null)
        {
            return null;
        }

        wallClock = DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(wallClock))
        {
            modelState.AddModelError(key, $"The clocks in {zone.Id} skip that time (they move forward then); pick another.");
            return null;
        }

        // An hour that happens twice (the clocks move back) is read as the first, summer-time one.
        var offset = zone.IsAmbiguousTime(wallClock) ? zone.GetAmbiguousTimeOffsets(wallClock).Max() : zone.GetUtcOffset(wallClock);
        return new DateTimeOffset(wallClock, offset).ToUniversalTime();
    }
}
