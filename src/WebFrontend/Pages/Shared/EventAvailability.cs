using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.WebFrontend.Pages.Shared;

/// <summary>What an event's seats look like to someone deciding whether to enroll.</summary>
public static class EventAvailability
{
    public const string Open = "Open";
    public const string WaitlistOpen = "Full – waitlist open";

    public static string Capacity(EventInfo info) => info.Policy.Capacity?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "Unlimited";

    /// <summary>Never negative: lowering the capacity below the active count leaves the event full, not "owing" seats.</summary>
    public static string SeatsLeft(EventInfo info) =>
        info.Policy.Capacity is { } capacity
            ? Math.Max(0, capacity - info.ActiveCount).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : "Unlimited";

    public static string Status(EventInfo info) =>
        !info.IsFull ? Open : info.Policy.HasWaitlist ? WaitlistOpen : EnrollmentResult.EventFullTitle;

    /// <summary>A CSS modifier for <see cref="Status"/>.</summary>
    public static string StatusClass(EventInfo info) =>
        !info.IsFull ? "open" : info.Policy.HasWaitlist ? "waitlist" : "full";

    /// <summary>True when a newcomer would be turned away: full, and no waitlist to join.</summary>
    public static bool RefusesNewcomers(EventInfo info) => info.IsFull && !info.Policy.HasWaitlist;
}
