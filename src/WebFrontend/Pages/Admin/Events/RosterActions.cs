using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.WebFrontend.Pages.Admin.Events;

/// <summary>
/// One thing an admin can do to an enrollment from the roster: its form key (also in the test id <c>action-{Key}</c>),
/// its button label, the grain call, and how the page reports it done.
/// </summary>
public sealed record RosterAction(
    string Key,
    string Label,
    bool Destructive,
    Func<IEventCapacityGrain, Guid, TransitionRequest, Task<TransitionResult>> Apply,
    Func<string, string> Done);

public static class RosterActions
{
    public static RosterAction CheckIn { get; } =
        new("check-in", "Check in", false, (grain, id, request) => grain.CheckIn(id, request), name => $"{name} is checked in.");

    public static RosterAction Attend { get; } =
        new("attend", "Mark attended", false, (grain, id, request) => grain.Attend(id, request), name => $"{name} is marked attended.");

    public static RosterAction Promote { get; } =
        new("promote", "Promote", false, (grain, id, request) => grain.Promote(id, request), name => $"{name} is promoted to confirmed.");

    /// <summary>Why a promotion needs its reason: it seats someone ahead of the queue, and on a full event it adds a seat.</summary>
    public const string PromoteReasonRequired = "Say why this person gets a seat ahead of the queue: the reason goes into the audit trail.";

    public static RosterAction Cancel { get; } =
        new("cancel", "Cancel", true, (grain, id, request) => grain.Cancel(id, request), name => $"The enrollment of {name} is cancelled.");

    private static readonly RosterAction[] All = [CheckIn, Attend, Promote, Cancel];

    /// <summary>
    /// The buttons a row offers: only the transitions the grain allows from that status, so an admin is never offered a
    /// step that can only be refused. (The grain still decides: the roster can be a moment behind.)
    /// </summary>
    public static IReadOnlyList<RosterAction> For(EnrollmentStatus status) => status switch
    {
        EnrollmentStatus.Confirmed => [CheckIn, Cancel],
        EnrollmentStatus.CheckedIn => [Attend],
        EnrollmentStatus.Waitlisted or EnrollmentStatus.Offered => [Promote, Cancel],
        _ => [],
    };

    public static RosterAction? Find(string? key) => All.FirstOrDefault(action => string.Equals(action.Key, key, StringComparison.Ordinal));
}
