using System.Globalization;

namespace OrleansEnrollment.WebFrontend.Pages.Shared;

/// <summary>How pages show instants: always UTC, labelled, so nobody mistakes server time for their own.</summary>
public static class DisplayTime
{
    public static string Format(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>The machine-readable form for a <c>&lt;time datetime&gt;</c> attribute.</summary>
    public static string Iso(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
