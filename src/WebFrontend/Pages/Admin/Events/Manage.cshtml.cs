using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.ReadModels;
using OrleansEnrollment.WebFrontend.Accounts;

namespace OrleansEnrollment.WebFrontend.Pages.Admin.Events;

/// <summary>
/// One event for an admin: its details, its policy and its roster; opening, closing and deleting it (in
/// <c>Manage.EventActions.cs</c>). The roster comes from the event's roster grain, an in-memory
/// read model, so browsing it never scans or locks the enrollment tables the decider writes to. Changes (policy and
/// per-enrollment actions) go through the event's capacity grain, which decides every enrollment.
/// </summary>
public sealed partial class ManageModel(EventCatalog catalog, IGrainFactory grains, UserAccounts accounts) : PageModel
{
    public const int PageSize = 25;

    public const string PolicyWarning =
        "Lowering the capacity below the number of active enrollments removes nobody: new people wait or are refused until " +
        "seats free up. Turning the waitlist off keeps the people already waiting, in order.";

    public const string Unavailable = "The change could not be saved right now. Please try again in a moment.";

    public const string RosterBehindNote = "The roster below has not caught up with this change yet; reload in a moment to see it.";

    // How long a page view after an action waits for the roster read model to show it: long enough for the stream's usual
    // delivery, short enough that a stalled stream costs the admin a moment, not a hang.
    private static readonly TimeSpan RosterCatchUp = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RosterPoll = TimeSpan.FromMilliseconds(100);

    [BindProperty]
    public int? Capacity { get; set; }

    [BindProperty]
    public bool HasWaitlist { get; set; }

    /// <summary>"automatic" or "offer".</summary>
    [BindProperty]
    public string Promotion { get; set; } = "automatic";

    /// <summary>How long an offer holds its seat, in hours (fractions allowed, e.g. 0.5).</summary>
    [BindProperty]
    public double? ClaimWindowHours { get; set; }

    /// <summary>The enrollment window, in UTC (the form's datetime-local fields are labelled UTC).</summary>
    [BindProperty]
    public DateTime? OpensAt { get; set; }

    [BindProperty]
    public DateTime? ClosesAt { get; set; }

    [BindProperty]
    public DateTime? WaitlistClosesAt { get; set; }

    [TempData]
    public string? Saved { get; set; }

    /// <summary>What the last roster action did, shown next to the roster.</summary>
    [TempData]
    public string? ActionDone { get; set; }

    /// <summary>Why the last roster action was refused (or could not be saved), shown next to the roster.</summary>
    [TempData]
    public string? ActionError { get; set; }

    /// <summary>"{enrollment id} {status}" after an action: the page waits briefly for the roster to show that status.</summary>
    [TempData]
    public string? Changed { get; set; }

    public EventInfo Event { get; private set; } = null!;

    public RosterPage Roster { get; private set; } = null!;

    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();

    /// <summary>The status filter as its snake_case name; null shows everyone.</summary>
    public string? Status { get; private set; }

    public string? FilterProblem { get; private set; }

    public string? PolicyProblem { get; private set; }

    /// <summary>True when the last action is not in the roster read model yet (it is committed; the view lags).</summary>
    public bool RosterBehind { get; private set; }

    public int PageNumber { get; private set; } = 1;

    public int PageCount { get; private set; } = 1;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        await AwaitChangeInRosterAsync(cancellationToken);
        FillPolicyForm();
        Details = EventDetailsForm.From(Event.Details);
        return Page();
    }

    /// <summary>The policy form as the event has it (for a page shown after another form was posted, too).</summary>
    private void FillPolicyForm()
    {
        var policy = Event.Policy;
        Capacity = policy.Capacity;
        HasWaitlist = policy.HasWaitlist;
        Promotion = policy.Promotion == PromotionMode.Offer ? "offer" : "automatic";
        ClaimWindowHours = policy.ClaimWindow?.TotalHours;
        OpensAt = policy.OpensAt?.UtcDateTime;
        ClosesAt = policy.ClosesAt?.UtcDateTime;
        WaitlistClosesAt = policy.WaitlistClosesAt?.UtcDateTime;
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        var offers = Promotion == "offer";
        TimeSpan? claimWindow = offers && ClaimWindowHours is { } hours && double.IsFinite(hours) && hours is > 0 and <= 24 * 30
            ? TimeSpan.FromSeconds(Math.Round(hours * 3600))
            : null;
        if (offers && claimWindow is null)
        {
            ModelState.AddModelError(nameof(ClaimWindowHours), "Give how long an offer holds its seat: more than 0 and at most 720 hours.");
        }

        var policy = new EnrollmentPolicy(Capacity, HasWaitlist)
        {
            Promotion = offers ? PromotionMode.Offer : PromotionMode.Automatic,
            ClaimWindow = claimWindow,
            OpensAt = Utc(OpensAt),
            ClosesAt = Utc(ClosesAt),
            WaitlistClosesAt = Utc(WaitlistClosesAt),
        };
        if (ModelState.IsValid && policy.Validate() is { } problem)
        {
            ModelState.AddModelError(problem.Contains("close", StringComparison.Ordinal) ? nameof(ClosesAt) : problem.Contains("claim", StringComparison.OrdinalIgnoreCase) ? nameof(ClaimWindowHours) : nameof(Capacity), problem);
        }

        if (!ModelState.IsValid)
        {
            return await ShowAgainAsync(id, cancellationToken);
        }

        try
        {
            // Through the grain, never the table: it decides every enrollment, so it must hold the policy it decides by.
            var request = new TransitionRequest(User.UserId(), Guid.NewGuid(), Reason: null);
            if (await grains.GetGrain<IEventCapacityGrain>(id).ChangePolicy(policy, request) is null)
            {
                return NotFound();
            }
        }
        catch (EnrollmentUnavailableException)
        {
            PolicyProblem = Unavailable;
            return await ShowAgainAsync(id, cancellationToken);
        }

        Saved = "The policy is saved.";
        return LocalRedirect(ListLink(id, ListStatus(), ListPage()));
    }

    /// <summary>
    /// A roster row's button: check in, mark attended, promote or cancel one enrollment. Always answers with a redirect
    /// back to the same filter and page (post/redirect/get), carrying what happened or why the grain refused.
    /// </summary>
    public async Task<IActionResult> OnPostTransitionAsync(
        Guid id, Guid enrollmentId, string? transition, string? reason, CancellationToken cancellationToken)
    {
        var back = ListLink(id, ListStatus(), ListPage()) + "#roster";
        if (RosterActions.Find(transition) is not { } action)
        {
            ActionError = "That is not an action on an enrollment.";
            return LocalRedirect(back);
        }

        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (reason is null && action == RosterActions.Promote)
        {
            ActionError = RosterActions.PromoteReasonRequired;
            return LocalRedirect(back);
        }

        if (reason is { Length: > TransitionRequest.MaxReasonLength })
        {
            // The input's maxlength stops this in a browser; a hand-made request still gets a readable answer.
            ActionError = $"A reason has at most {TransitionRequest.MaxReasonLength} characters.";
            return LocalRedirect(back);
        }

        TransitionResult result;
        try
        {
            // A fresh request id per press: the audit trail tells two presses apart, and the grain refuses the second.
            result = await action.Apply(
                grains.GetGrain<IEventCapacityGrain>(id), enrollmentId, new TransitionRequest(User.UserId(), Guid.NewGuid(), reason));
        }
        catch (EnrollmentUnavailableException)
        {
            ActionError = Unavailable;
            return LocalRedirect(back);
        }

        switch (result)
        {
            case { Outcome: TransitionOutcome.Done, Enrollment: { } after }:
                var names = await accounts.DisplayNamesAsync([after.UserId], cancellationToken);
                ActionDone = action.Done(names.GetValueOrDefault(after.UserId, "the user"));
                Changed = string.Create(CultureInfo.InvariantCulture, $"{after.Id} {after.Status.ToName()}");
                break;
            case { Outcome: TransitionOutcome.NotFound } when await catalog.FindAsync(id, cancellationToken) is null:
                return NotFound();
            default:
                // Refused (say, no seat is free) or gone (cancelled in another tab): the grain's message says which.
                ActionError = result.Message ?? "The enrollment cannot make this change.";
                break;
        }

        return LocalRedirect(back);
    }

    public string PageLink(int page) => ListLink(Event.Id, Status, page);

    /// <summary>What pressing Promote does to this event, said before the click.</summary>
    public string PromoteHint => Event.Policy.Capacity is { } capacity && Event.ActiveCount >= capacity
        ? $"Promote gives a seat now, ahead of the queue: the event is full, so its capacity goes from {capacity} to {Math.Max(capacity, Event.ActiveCount) + 1}. A reason is required."
        : "Promote gives a seat now, ahead of the queue. A reason is required.";

    // Form fields carry no zone; the labels say UTC, so that is what they are.
    private static DateTimeOffset? Utc(DateTime? value) =>
        value is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;

    /// <summary>Where a row's buttons post: the handler, plus the filter and page to come back to.</summary>
    public string TransitionLink => PageLink(PageNumber) + "&handler=Transition";

    private static string ListLink(Guid id, string? status, int page) => string.Create(
        CultureInfo.InvariantCulture, $"/admin/events/{id}?status={Uri.EscapeDataString(status ?? "")}&page={page}");

    private string? ListStatus() => EnrollmentStatusNames.TryParse(Request.Query["status"], out _) ? Request.Query["status"].ToString() : null;

    // Read by hand: Razor Pages reserve the "page" route value for the page's own name, so it cannot be bound.
    private int ListPage() =>
        int.TryParse(Request.Query["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var page) && page > 0 ? page : 1;

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await catalog.FindAsync(id, cancellationToken) is not { } info)
        {
            return false;
        }

        Event = info;
        var requested = Request.Query["status"].ToString();
        if (requested.Length > 0)
        {
            if (EnrollmentStatusNames.TryParse(requested, out _))
            {
                Status = requested;
            }
            else
            {
                FilterProblem = "That is not a status; showing every enrollment.";
            }
        }

        PageNumber = ListPage();
        await ReadRosterAsync(cancellationToken);
        return true;
    }

    private async Task ReadRosterAsync(CancellationToken cancellationToken)
    {
        EnrollmentStatus? only = Status is null ? null : EnrollmentStatusNames.Parse(Status);
        var roster = grains.GetGrain<IEventRosterGrain>(Event.Id);
        Roster = await roster.GetPage(only, PageNumber, PageSize);
        PageCount = Math.Max(1, (Roster.Total + PageSize - 1) / PageSize);
        if (PageNumber > PageCount)
        {
            PageNumber = PageCount;
            Roster = await roster.GetPage(only, PageNumber, PageSize);
        }

        Names = await accounts.DisplayNamesAsync(Roster.Items.Select(item => item.UserId), cancellationToken);
    }

    /// <summary>
    /// The roster is fed by the event's stream, so right after an action it may still show the row as it was, with
    /// buttons that would now be refused. Waits a moment for it to catch up; if it does not, says so.
    /// </summary>
    private async Task AwaitChangeInRosterAsync(CancellationToken cancellationToken)
    {
        if (Changed?.Split(' ') is not [var rawId, var rawStatus] ||
            !Guid.TryParse(rawId, out var enrollmentId) || !EnrollmentStatusNames.TryParse(rawStatus, out var expected))
        {
            return;
        }

        // Only a row still on this page with its old status shows the lag; a row that left the filter did catch up.
        bool Behind() => Roster.Items.Any(item => item.EnrollmentId == enrollmentId && item.Status != expected);
        var deadline = DateTime.UtcNow + RosterCatchUp;
        while (Behind() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(RosterPoll, cancellationToken);
            await ReadRosterAsync(cancellationToken);
        }

        RosterBehind = Behind();
    }
}
