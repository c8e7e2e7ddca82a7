using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.ReadModels;
using OrleansEnrollment.WebFrontend.Accounts;

namespace OrleansEnrollment.WebFrontend.Pages.Admin.Events;

/// <summary>
/// One event for an admin: its policy and its roster. The roster comes from the event's roster grain, an in-memory
/// read model, so browsing it never scans or locks the enrollment tables the decider writes to.
/// </summary>
public sealed class ManageModel(EventCatalog catalog, IGrainFactory grains, UserAccounts accounts) : PageModel
{
    public const int PageSize = 25;

    public const string PolicyWarning =
        "Lowering the capacity below the number of active enrollments removes nobody: new people wait or are refused until " +
        "seats free up. Turning the waitlist off keeps the people already waiting, in order.";

    [BindProperty]
    public int? Capacity { get; set; }

    [BindProperty]
    public bool HasWaitlist { get; set; }

    [TempData]
    public string? Saved { get; set; }

    public EventInfo Event { get; private set; } = null!;

    public RosterPage Roster { get; private set; } = null!;

    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();

    /// <summary>The status filter as its snake_case name; null shows everyone.</summary>
    public string? Status { get; private set; }

    public string? FilterProblem { get; private set; }

    public int PageNumber { get; private set; } = 1;

    public int PageCount { get; private set; } = 1;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        Capacity = Event.Policy.Capacity;
        HasWaitlist = Event.Policy.HasWaitlist;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        var policy = new EnrollmentPolicy(Capacity, HasWaitlist);
        if (ModelState.IsValid && policy.Validate() is { } problem)
        {
            ModelState.AddModelError(nameof(Capacity), problem);
        }

        if (!ModelState.IsValid)
        {
            return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
        }

        // Through the grain, never the table: it decides every enrollment, so it must hold the policy it decides by.
        var request = new TransitionRequest(User.UserId(), Guid.NewGuid(), Reason: null);
        if (await grains.GetGrain<IEventCapacityGrain>(id).ChangePolicy(policy, request) is null)
        {
            return NotFound();
        }

        Saved = "The policy is saved.";
        return LocalRedirect($"/admin/events/{id}");
    }

    public string PageLink(int page) => string.Create(
        CultureInfo.InvariantCulture, $"/admin/events/{Event.Id}?status={Uri.EscapeDataString(Status ?? "")}&page={page}");

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await catalog.FindAsync(id, cancellationToken) is not { } info)
        {
            return false;
        }

        Event = info;
        EnrollmentStatus? only = null;
        var requested = Request.Query["status"].ToString();
        if (requested.Length > 0)
        {
            if (EnrollmentStatusNames.TryParse(requested, out var status))
            {
                only = status;
                Status = requested;
            }
            else
            {
                FilterProblem = "That is not a status; showing every enrollment.";
            }
        }

        // Read by hand: Razor Pages reserve the "page" route value for the page's own name, so it cannot be bound.
        PageNumber = int.TryParse(Request.Query["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var page) && page > 0 ? page : 1;
        var roster = grains.GetGrain<IEventRosterGrain>(id);
        Roster = await roster.GetPage(only, PageNumber, PageSize);
        PageCount = Math.Max(1, (Roster.Total + PageSize - 1) / PageSize);
        if (PageNumber > PageCount)
        {
            PageNumber = PageCount;
            Roster = await roster.GetPage(only, PageNumber, PageSize);
        }

        Names = await accounts.DisplayNamesAsync(Roster.Items.Select(item => item.UserId), cancellationToken);
        return true;
    }
}
