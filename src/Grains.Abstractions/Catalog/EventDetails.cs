namespace OrleansEnrollment.Catalog;

/// <summary>
/// What people read about an event: its title, when it starts and ends, what it is, where, and the IANA time zone its
/// times are meant in (pages show them in that zone, labelled with its name). Times are instants; the zone only says
/// how to show them. This is the one rule for the fields: the API, the pages and <c>EventCatalog</c> ask
/// <see cref="Problems"/>, and migration 0022 holds the same limits in the database.
/// </summary>
public sealed record EventDetails(
    string Title,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt = null,
    string Description = "",
    string Location = "",
    string TimeZone = EventDetails.DefaultTimeZone)
{
    public const int MaxTitleLength = 200;
    public const int MaxDescriptionLength = 4000;
    public const int MaxLocationLength = 200;
    public const int MaxTimeZoneLength = 64;
    public const string DefaultTimeZone = "UTC";

    /// <summary>
    /// The details as stored: title and location trimmed, the description's line breaks as <c>\n</c> (a form sends
    /// <c>\r\n</c>, which would count twice against the limit) without surrounding blank space, times in UTC.
    /// </summary>
    public EventDetails Normalized() => this with
    {
        Title = Title.Trim(),
        StartsAt = StartsAt.ToUniversalTime(),
        EndsAt = EndsAt?.ToUniversalTime(),
        Description = Description.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Trim(),
        Location = Location.Trim(),
        TimeZone = TimeZone.Trim(),
    };

    /// <summary>
    /// Why these (normalized) details cannot be stored, by field name as the API spells it (title, endsAt, description,
    /// location, timeZone); empty when they can.
    /// </summary>
    public IReadOnlyDictionary<string, string> Problems()
    {
        var problems = new Dictionary<string, string>();
        if (Title.Length is 0 or > MaxTitleLength)
        {
            problems["title"] = $"A title has 1 to {MaxTitleLength} characters.";
        }

        if (EndsAt is { } ends && ends <= StartsAt)
        {
            problems["endsAt"] = "An event must end after it starts.";
        }

        if (Description.Length > MaxDescriptionLength)
        {
            problems["description"] = $"A description has at most {MaxDescriptionLength} characters.";
        }

        if (Location.Length > MaxLocationLength || Location.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            problems["location"] = $"A location is one line of at most {MaxLocationLength} characters.";
        }

        if (!IsKnownTimeZone(TimeZone))
        {
            problems["timeZone"] = "timeZone is an IANA time zone name such as Europe/Paris or UTC.";
        }

        return problems;
    }

    /// <summary>
    /// An IANA zone name (Area/City, or UTC) that this machine's zone database knows. Names are checked for their shape
    /// first, so nothing but a zone name ever reaches the lookup (which reads a file of that name).
    /// </summary>
    public static bool IsKnownTimeZone(string? id) =>
        id is { Length: > 0 and <= MaxTimeZoneLength } && HasZoneNameShape(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);

    /// <summary>The zone named <paramref name="timeZone"/>; UTC for a name the machine does not know (a zone database update can drop one).</summary>
    public static TimeZoneInfo ZoneOf(string timeZone) =>
        IsKnownTimeZone(timeZone) && TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone) ? zone : TimeZoneInfo.Utc;

    // Segments of letters, digits, '_', '+' and '-' separated by single slashes: no dots, so no "..", and no leading slash.
    private static bool HasZoneNameShape(string id)
    {
        var segmentLength = 0;
        foreach (var c in id)
        {
            if (c == '/')
            {
                if (segmentLength == 0)
                {
                    return false;
                }

                segmentLength = 0;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '_' or '+' or '-')
            {
                segmentLength++;
            }
            else
            {
                return false;
            }
        }

        return segmentLength > 0;
    }
}
