using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.WebFrontend.Pages.Admin.Events;

public sealed class NewModel(EventCatalog catalog) : PageModel
{
    [BindProperty]
    public string? Title { get; set; }

    /// <summary>A datetime-local value carries no offset; the form says it is UTC, so it is taken as UTC.</summary>
    [BindProperty]
    public DateTime? StartsAt { get; set; }

    [BindProperty]
    public int? Capacity { get; set; }

    [BindProperty]
    public bool HasWaitlist { get; set; }

    public void OnGet()
    {
        StartsAt = DateTime.UtcNow.Date.AddDays(7).AddHours(18);
        HasWaitlist = true;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(Title) || Title.Trim().Length > EventCatalog.MaxTitleLength)
        {
            ModelState.AddModelError(nameof(Title), $"A title has 1 to {EventCatalog.MaxTitleLength} characters.");
        }

        if (StartsAt is null && ModelState.GetFieldValidationState(nameof(StartsAt)) != Microsoft.AspNetCore.Mvc.ModelBinding.ModelValidationState.Invalid)
        {
            ModelState.AddModelError(nameof(StartsAt), "Enter when the event starts.");
        }

        var policy = new EnrollmentPolicy(Capacity, HasWaitlist);
        if (policy.Validate() is { } problem)
        {
            ModelState.AddModelError(nameof(Capacity), problem);
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var startsAt = new DateTimeOffset(DateTime.SpecifyKind(StartsAt!.Value, DateTimeKind.Unspecified), TimeSpan.Zero);
        var created = await catalog.CreateAsync(Title!, startsAt, policy, cancellationToken);
        return LocalRedirect($"/admin/events/{created.Id}");
    }
}
