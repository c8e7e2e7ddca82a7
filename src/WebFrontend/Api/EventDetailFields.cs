using System.Text.Json.Serialization;
using OrleansEnrollment.Catalog;

namespace OrleansEnrollment.WebFrontend.Api;

/// <summary>
/// The body of <c>PUT /api/admin/events/{eventId}</c>: a field left out keeps what the event has. <c>endsAt</c>,
/// <c>description</c>, <c>location</c> and <c>timeZone</c> sent as null go back to their defaults (no end, empty, UTC);
/// <c>title</c> and <c>startsAt</c> cannot be removed.
/// </summary>
public sealed class UpdateEventRequest
{
    private string? title;
    private DateTimeOffset? startsAt;
    private DateTimeOffset? endsAt;
    private string? description;
    private string? location;
    private string? timeZone;

    public string? Title { get => title; init => (title, TitleGiven) = (value, true); }

    public DateTimeOffset? StartsAt { get => startsAt; init => (startsAt, StartsAtGiven) = (value, true); }

    public DateTimeOffset? EndsAt { get => endsAt; init => (endsAt, EndsAtGiven) = (value, true); }

    /// <summary>Plain text; line breaks are kept, nothing is read as HTML.</summary>
    public string? Description { get => description; init => (description, DescriptionGiven) = (value, true); }

    public string? Location { get => location; init => (location, LocationGiven) = (value, true); }

    /// <summary>An IANA zone name, e.g. Europe/Paris: the zone the event's times are shown in.</summary>
    public string? TimeZone { get => timeZone; init => (timeZone, TimeZoneGiven) = (value, true); }

    [JsonIgnore]
    public bool TitleGiven { get; private set; }

    [JsonIgnore]
    public bool StartsAtGiven { get; private set; }

    [JsonIgnore]
    public bool EndsAtGiven { get; private set; }

    [JsonIgnore]
    public bool DescriptionGiven { get; private set; }

    [JsonIgnore]
    public bool LocationGiven { get; private set; }

    [JsonIgnore]
    public bool TimeZoneGiven { get; private set; }

    /// <summary><paramref name="current"/> with every field given here; a removed title or start goes into <paramref name="problems"/>.</summary>
    public EventDetails Apply(EventDetails current, IDictionary<string, string[]> problems)
    {
        if (TitleGiven && Title is null)
        {
            problems["title"] = [$"A title has 1 to {EventDetails.MaxTitleLength} characters."];
        }

        if (StartsAtGiven && StartsAt is null)
        {
            problems["startsAt"] = ["An event has a start; leave startsAt out to keep it."];
        }

        return current with
        {
            Title = TitleGiven ? Title ?? "" : current.Title,
            StartsAt = StartsAt ?? current.StartsAt,
            EndsAt = EndsAtGiven ? EndsAt : current.EndsAt,
            Description = DescriptionGiven ? Description ?? "" : current.Description,
            Location = LocationGiven ? Location ?? "" : current.Location,
            TimeZone = TimeZoneGiven ? TimeZone ?? EventDetails.DefaultTimeZone : current.TimeZone,
        };
    }
}

/// <summary>The API's and the pages' check of event details: the domain's rule, and text that PostgreSQL can store.</summary>
public static class EventDetailsInput
{
    /// <summary>The details as they would be stored; each problem goes into <paramref name="problems"/> by field name.</summary>
    public static EventDetails Check(EventDetails details, IDictionary<string, string[]> problems)
    {
        foreach (var (field, text) in new[] { ("title", details.Title), ("description", details.Description), ("location", details.Location) })
        {
            if (!StorableText.IsStorable(text))
            {
                problems.TryAdd(field, [$"{field} holds a NUL or a broken (unpaired surrogate) character."]);
            }
        }

        var normalized = details.Normalized();
        foreach (var (field, problem) in normalized.Problems())
        {
            problems.TryAdd(field, [problem]);
        }

        return normalized;
    }
}
