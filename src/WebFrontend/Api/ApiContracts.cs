using System.Text.Json.Serialization;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Notifications;
using OrleansEnrollment.ReadModels;

namespace OrleansEnrollment.WebFrontend.Api;

// What the HTTP API reads and writes. Ids travel as strings (GUIDs, or a number for audit rows), statuses in
// snake_case, times in ISO 8601.

public sealed record RegisterRequest(string? Email, string? Password, string? DisplayName);

public sealed record TokenRequest(string? Email, string? Password);

public sealed record AccountResponse(Guid Id, string Email, string DisplayName, bool IsAdmin, bool EmailConfirmed);

public sealed record MessageResponse(string Message);

/// <param name="EmailNotifications">Mail the person when their enrollment changes (on by default).</param>
public sealed record PreferencesBody(bool? EmailNotifications);

/// <summary>The token of a mailed link.</summary>
public sealed record TokenBody(string? Token);

public sealed record EmailBody(string? Email);

public sealed record ResetPasswordRequest(string? Token, string? Password);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

public sealed record AdminResponse(Guid UserId, string Email, string DisplayName, bool NamedInConfiguration);

/// <param name="ActiveCount">Seats held: confirmed, checked in, attended and offered.</param>
/// <param name="Promotion"><c>automatic</c> or <c>offer</c>.</param>
/// <param name="ClaimWindow">An ISO 8601 duration, set in the offer mode.</param>
/// <param name="Description">Plain text with <c>\n</c> line breaks; empty when there is none.</param>
/// <param name="TimeZone">The IANA zone the event's times are meant in, e.g. Europe/Paris.</param>
public sealed record EventResponse(
    Guid Id, string Title, DateTimeOffset StartsAt, int? Capacity, bool HasWaitlist, int ActiveCount, int WaitlistCount, bool IsFull,
    string Promotion, string? ClaimWindow, DateTimeOffset? OpensAt, DateTimeOffset? ClosesAt, DateTimeOffset? WaitlistClosesAt,
    DateTimeOffset? EndsAt, string Description, string Location, string TimeZone)
{
    public static EventResponse From(EventInfo info) => new(
        info.Id, info.Title, info.StartsAt, info.Policy.Capacity, info.Policy.HasWaitlist, info.ActiveCount, info.WaitlistCount, info.IsFull,
        info.Policy.Promotion == PromotionMode.Offer ? "offer" : "automatic", PolicyFields.FormatDuration(info.Policy.ClaimWindow),
        info.Policy.OpensAt, info.Policy.ClosesAt, info.Policy.WaitlistClosesAt,
        info.EndsAt, info.Description, info.Location, info.TimeZone);
}

/// <param name="WaitlistPosition">
/// For a waiting enrollment, its place among the people still waiting (1 = next to get a seat): it moves up as people
/// ahead leave or are promoted. Null for every other status.
/// </param>
/// <param name="OfferExpiresAt">For an offered enrollment: accept before this, or the seat goes to the next person.</param>
public sealed record EnrollmentResponse(Guid Id, Guid EventId, Guid UserId, EnrollmentStatus Status, int? WaitlistPosition, DateTimeOffset? OfferExpiresAt = null)
{
    public static EnrollmentResponse From(Enrollment enrollment) => new(
        enrollment.Id, enrollment.EventId, enrollment.UserId, enrollment.Status,
        enrollment.Status == EnrollmentStatus.Waitlisted ? enrollment.WaitlistRank ?? enrollment.WaitlistPosition : null,
        enrollment.Status == EnrollmentStatus.Offered ? enrollment.OfferExpiresAt : null);
}

/// <summary>An optional reason for a transition; it goes into the audit trail.</summary>
public sealed record TransitionBody(string? Reason);

public sealed record NotificationResponse(Guid Id, Guid EventId, string Kind, string Message, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt)
{
    public static NotificationResponse From(Notification notification) => new(
        notification.Id, notification.EventId, notification.Kind, notification.Message, notification.CreatedAt, notification.ReadAt);
}

/// <summary>
/// Title, start, capacity and waitlist must be present (<c>capacity</c> may be null: unlimited); the policy fields and the
/// details (end, description, location, time zone) are optional.
/// </summary>
public sealed class CreateEventRequest : PolicyFields
{
    [JsonRequired]
    public string? Title { get; init; }

    [JsonRequired]
    public DateTimeOffset StartsAt { get; init; }

    [JsonRequired]
    public int? Capacity { get; init; }

    [JsonRequired]
    public bool HasWaitlist { get; init; }

    public DateTimeOffset? EndsAt { get; init; }

    /// <summary>Plain text; line breaks are kept, nothing is read as HTML.</summary>
    public string? Description { get; init; }

    public string? Location { get; init; }

    /// <summary>An IANA zone name such as Europe/Paris; UTC when left out.</summary>
    public string? TimeZone { get; init; }

    public EventDetails Details() => new(
        Title ?? "", StartsAt, EndsAt, Description ?? "", Location ?? "", TimeZone ?? EventDetails.DefaultTimeZone);
}

/// <summary>Capacity and waitlist must be present (<c>capacity</c> may be null: unlimited); a policy field left out is unchanged.</summary>
public sealed class UpdatePolicyRequest : PolicyFields
{
    [JsonRequired]
    public int? Capacity { get; init; }

    [JsonRequired]
    public bool HasWaitlist { get; init; }
}

public sealed record GrantAdminRequest([property: JsonRequired] string? Email);

public sealed record RosterItemResponse(
    Guid Id, Guid UserId, string DisplayName, EnrollmentStatus Status, int? WaitlistPosition, DateTimeOffset CreatedAt, DateTimeOffset? OfferExpiresAt)
{
    /// <summary>The position shown is the waiting rank (1 = next), as users see it.</summary>
    public static RosterItemResponse From(RosterEntry entry, IReadOnlyDictionary<Guid, string> displayNames) => new(
        entry.EnrollmentId, entry.UserId, displayNames.GetValueOrDefault(entry.UserId, "(unknown user)"), entry.Status,
        entry.Status == EnrollmentStatus.Waitlisted ? entry.WaitlistRank ?? entry.WaitlistPosition : null, entry.CreatedAt,
        entry.Status == EnrollmentStatus.Offered ? entry.OfferExpiresAt : null);
}

public sealed record RosterResponse(IReadOnlyList<RosterItemResponse> Items, int Total);

public sealed record TransitionResponse(
    string Id, EnrollmentStatus? FromStatus, EnrollmentStatus ToStatus, string Reason, Guid? ActorId, Guid? RequestId, DateTimeOffset OccurredAt)
{
    public static TransitionResponse Of(EnrollmentTransition transition) => new(
        transition.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), transition.From, transition.To, transition.Reason,
        transition.ActorId, transition.RequestId, transition.OccurredAt);
}
