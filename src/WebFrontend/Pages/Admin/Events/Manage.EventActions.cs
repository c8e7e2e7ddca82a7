using Microsoft.AspNetCore.Mvc;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.WebFrontend.Accounts;
using OrleansEnrollment.WebFrontend.Pages.Shared;

namespace OrleansEnrollment.WebFrontend.Pages.Admin.Events;

/// <summary>
/// The event as a whole on its admin page: editing its details, opening and closing enrollment, deleting it, and the
/// links to its CSV export and printable check-in list. Window changes and deleting go through the event's capacity
/// grain, like every change that its decisions depend on; details are the catalog's.
/// </summary>
public sealed partial class ManageModel
{
    public const string DeleteNeedsConfirmation = "Tick the box to confirm that this event is to be deleted.";

    public const string DeleteRefused =
        "People have enrolled in this event (some may have cancelled since), so it stays with their history. Close enrollment instead.";

    [BindProperty]
    public EventDetailsForm Details { get; set; } = new();

    public string? DetailsProblem { get; private set; }

    /// <summary>Why the last open, close or delete did not happen, shown beside those buttons.</summary>
    [TempData]
    public string? EventProblem { get; set; }

    /// <summary>Where enrolling stands now, in a sentence.</summary>
    public string WindowText => Event.Policy.WindowRefusal(DateTimeOffset.UtcNow) switch
    {
        EnrollmentOutcome.NotOpenYet => $"Enrollment opens {DisplayTime.Format(Event.Policy.OpensAt!.Value)}.",
        EnrollmentOutcome.Closed => $"Enrollment closed {DisplayTime.Format(Event.Policy.ClosesAt!.Value)}.",
        _ when Event.Policy.ClosesAt is { } closes => $"Enrollment is open until {DisplayTime.Format(closes)}.",
        _ => "Enrollment is open.",
    };

    public bool CanClose => Event.Policy.WindowRefusal(DateTimeOffset.UtcNow) != EnrollmentOutcome.Closed;

    /// <summary>Opening clears both bounds of the window, so it is offered whenever there is a bound to clear.</summary>
    public bool CanOpen => Event.Policy.OpensAt is not null || Event.Policy.ClosesAt is not null;

    /// <summary>The CSV export of the roster as filtered now (served under /admin for the session cookie; the API takes tokens only).</summary>
    public string CsvLink => $"/admin/events/{Event.Id}/enrollments.csv{(Status is null ? "" : "?status=" + Uri.EscapeDataString(Status))}";

    public string CheckInListLink => $"/admin/events/{Event.Id}/check-in-list";

    public async Task<IActionResult> OnPostDetailsAsync(Guid id, CancellationToken cancellationToken)
    {
        if (Details.ToDetails(ModelState, nameof(Details)) is not { } details)
        {
            return await ShowDetailsAgainAsync(id, cancellationToken);
        }

        if (await catalog.UpdateDetailsAsync(id, details, cancellationToken) is null)
        {
            return NotFound();
        }

        Saved = "The event details are saved.";
        return LocalRedirect(ListLink(id, ListStatus(), ListPage()));
    }

    public Task<IActionResult> OnPostCloseAsync(Guid id) =>
        ChangeWindowAsync(id, (grain, request) => grain.CloseEnrollment(request), "enrollment closed", "Enrollment is closed: newcomers are refused.");

    public Task<IActionResult> OnPostOpenAsync(Guid id) =>
        ChangeWindowAsync(id, (grain, request) => grain.OpenEnrollment(request), "enrollment opened", "Enrollment is open, with no end set.");

    /// <summary>A plain form post with a confirmation box, so deleting needs no script and never happens by one click.</summary>
    public async Task<IActionResult> OnPostDeleteAsync(Guid id, bool confirm, CancellationToken cancellationToken)
    {
        var back = ListLink(id, ListStatus(), ListPage()) + "#delete";
        if (!confirm)
        {
            EventProblem = DeleteNeedsConfirmation;
            return LocalRedirect(back);
        }

        var title = (await catalog.FindAsync(id, cancellationToken))?.Title;
        EventDeletionOutcome outcome;
        try
        {
            outcome = await grains.GetGrain<IEventCapacityGrain>(id).DeleteEvent();
        }
        catch (EnrollmentUnavailableException)
        {
            EventProblem = Unavailable;
            return LocalRedirect(back);
        }

        switch (outcome)
        {
            case EventDeletionOutcome.Deleted:
                TempData[Admin.IndexModel.NoticeKey] = $"The event “{title}” is deleted.";
                return LocalRedirect("/admin");
            case EventDeletionOutcome.HasEnrollments:
                EventProblem = DeleteRefused;
                return LocalRedirect(back);
            default:
                return NotFound();
        }
    }

    private async Task<IActionResult> ChangeWindowAsync(
        Guid id, Func<IEventCapacityGrain, TransitionRequest, Task<EventCapacitySummary?>> change, string reason, string done)
    {
        try
        {
            if (await change(grains.GetGrain<IEventCapacityGrain>(id), new TransitionRequest(User.UserId(), Guid.NewGuid(), reason)) is null)
            {
                return NotFound();
            }

            Saved = done;
        }
        catch (EnrollmentUnavailableException)
        {
            EventProblem = Unavailable;
        }

        return LocalRedirect(ListLink(id, ListStatus(), ListPage()));
    }

    /// <summary>The page after a refused policy form: the policy as posted, the details as the event has them.</summary>
    private async Task<IActionResult> ShowAgainAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        Details = EventDetailsForm.From(Event.Details);
        return Page();
    }

    /// <summary>The page after a refused details form: the details as posted, with their problems; the policy as the event has it.</summary>
    private async Task<IActionResult> ShowDetailsAgainAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        FillPolicyForm();
        DetailsProblem = "The details are not saved: see the fields marked below.";
        return Page();
    }
}
