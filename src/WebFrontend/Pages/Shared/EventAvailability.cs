using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.WebFrontend.Pages.Shared;

/// <summary>What an event's seats look like to someone deciding whether to enroll, now.</summary>
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

    public static string Status(EventInfo info) => Refusal(info) switch
    {
        EnrollmentOutcome.NotOpenYet => $"Opens {DisplayTime.Format(info.Policy.OpensAt!.Value)}",
        EnrollmentOutcome.Closed => EnrollmentResult.ClosedTitle,
        EnrollmentOutcome.EventFull => EnrollmentResult.EventFullTitle,
        _ => info.IsFull ? WaitlistOpen : Open,
    };

    /// <summary>A CSS modifier for <see cref="Status"/>.</summary>
    public static string StatusClass(EventInfo info) => Refusal(info) switch
    {
        EnrollmentOutcome.NotOpenYet or EnrollmentOutcome.Closed => "closed",
        EnrollmentOutcome.EventFull => "full",
        _ => info.IsFull ? "waitlist" : "open",
    };

    /// <summary>True when a newcomer would be turned away now: outside the enrollment window, or full with no waitlist to join.</summary>
    public static bool RefusesNewcomers(EventInfo info) => Refusal(info) is not null;

    /// <summary>Why a newcomer would be turned away now, as the grain would answer them; null when they would get in.</summary>
    public static EnrollmentOutcome? Refusal(EventInfo info)
    {
        var now = DateTimeOffset.UtcNow;
        return info.Policy.WindowRefusal(now) is { } outside ? outside
            : info.IsFull && !info.Policy.WaitlistOpenAt(now) ? EnrollmentOutcome.EventFull
            : null;
    }

    /// <summary>How freed seats reach the waitlist, in a few words.</summary>
    public static string Promotion(EventInfo info) => info.Policy.Promotion == PromotionMode.Offer
        ? $"Offered to the next person for {DurationText(info.Policy.ClaimWindow!.Value)}"
        : "The next person is confirmed at once";

    public static string DurationText(TimeSpan duration) =>
        duration.TotalDays >= 1 && duration.TotalDays % 1 == 0 ? Plural((int)duration.TotalDays, "day")
        : duration.TotalHours >= 1 && duration.TotalHours % 1 == 0 ? Plural((int)duration.TotalHours, "hour")
        : duration.TotalMinutes >= 1 && duration.TotalMinutes % 1 == 0 ? Plural((int)duration.TotalMinutes, "minute")
        : Plural((int)duration.TotalSeconds, "second");

    private static string Plural(int count, string unit) => count == 1 ? $"1 {unit}" : $"{count} {unit}s";
}
