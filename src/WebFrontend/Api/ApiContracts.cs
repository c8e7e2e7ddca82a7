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

/// <summary>The token of a mailed link.</summary>
public sealed record TokenBody(string? Token);

public sealed record EmailBody(string? Email);

public sealed record ResetPasswordRequest(string? Token, string? Password);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

public sealed record AdminResponse(Guid UserId, string Email, string DisplayName, bool NamedInConfiguration);

public sealed record EventResponse(
    Guid Id, string Title, DateTimeOffset StartsAt, int? Capacity, bool HasWaitlist, int ActiveCount, int WaitlistCount, bool IsFull)
{
    public static EventResponse From(EventInfo info) => new(
        info.Id, info.Title, info.StartsAt, info.Policy.Capacity, info.Policy.HasWaitlist, info.ActiveCount, info.WaitlistCount, info.IsFull);
}

/// <param name="WaitlistPosition">
/// For a waiting enrollment, its place among the people still waiting (1 = next to get a seat): it moves up as people
/// ahead leave or are promoted. Null for every other status.
/// </param>
public sealed record EnrollmentResponse(Guid Id, Guid EventId, Guid UserId, EnrollmentStatus Status, int? WaitlistPosition)
{
    public static EnrollmentResponse From(Enrollment enrollment) => new(
        enrollment.Id, enrollment.EventId, enrollment.UserId, enrollment.Status,
        enrollment.Status == EnrollmentStatus.Waitlisted ? enrollment.WaitlistRank ?? enrollment.WaitlistPosition : null);
}

/// <summary>An optional reason for a transition; it goes into the audit trail.</summary>
public sealed record TransitionBody(string? Reason);

public sealed record NotificationResponse(Guid Id, Guid EventId, string Kind, string Message, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt)
{
    public static NotificationResponse From(Notification notification) => new(
        notification.Id, notification.EventId, notification.Kind, notification.Message, notification.CreatedAt, notification.ReadAt);
}

/// <summary>Every field must be present; <c>capacity</c> may be null (unlimited).</summary>
public sealed record CreateEventRequest(
    [property: JsonRequired] string? Title,
    [property: JsonRequired] DateTimeOffset StartsAt,
    [property: JsonRequired] int? Capacity,
    [property: JsonRequired] bool HasWaitlist);

/// <summary>Both fields must be present; <c>capacity</c> may be null (unlimited).</summary>
public sealed record UpdatePolicyRequest([property: JsonRequired] int? Capacity, [property: JsonRequired] bool HasWaitlist);

public sealed record GrantAdminRequest([property: JsonRequired] string? Email);

public sealed record RosterItemResponse(Guid Id, Guid UserId, string DisplayName, EnrollmentStatus Status, int? WaitlistPosition, DateTimeOffset CreatedAt)
{
    /// <summary>The position shown is the waiting rank (1 = next), as users see it.</summary>
    public static RosterItemResponse From(RosterEntry entry, IReadOnlyDictionary<Guid, string> displayNames) => new(
        entry.EnrollmentId, entry.UserId, displayNames.GetValueOrDefault(entry.UserId, "(unknown user)"), entry.Status,
        entry.Status == EnrollmentStatus.Waitlisted ? entry.WaitlistRank ?? entry.WaitlistPosition : null, entry.CreatedAt);
}

public sealed record RosterResponse(IReadOnlyList<RosterItemResponse> Items, int Total);

public sealed record TransitionResponse(
    string Id, EnrollmentStatus? FromStatus, EnrollmentStatus ToStatus, string Reason, Guid? ActorId, Guid? RequestId, DateTimeOffset OccurredAt)
{
    public static TransitionResponse Of(EnrollmentTransition transition) => new(
        transition.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), transition.From, transition.To, transition.Reason,
        transition.ActorId, transition.RequestId, transition.OccurredAt);
}
