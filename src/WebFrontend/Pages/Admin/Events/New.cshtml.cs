using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.WebFrontend.Pages.Admin.Events;

public sealed class NewModel(EventCatalog catalog) : PageModel
{
    [BindProperty]
    public EventDetailsForm Details { get; set; } = new();

    [BindProperty]
    public int? Capacity { get; set; }

    [BindProperty]
    public bool HasWaitlist { get; set; }

    public void OnGet()
    {
        Details.StartsAt = DateTime.UtcNow.Date.AddDays(7).AddHours(18);
        HasWaitlist = true;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var details = Details.ToDetails(ModelState, nameof(Details));
        var policy = new EnrollmentPolicy(Capacity, HasWaitlist);
        if (policy.Validate() is { } problem)
        {
            ModelState.AddModelError(nameof(Capacity), problem);
        }

        if (details is null || !ModelState.IsValid)
        {
            return Page();
        }

        var created = await catalog.CreateAsync(details, policy, cancellationToken);
        return LocalRedirect($"/admin/events/{created.Id}");
    }
}
