using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.WebFrontend.Pages.Admin.Events;

/// <summary>
/// The list to tick off at the door, meant to be printed: everyone holding a seat, by name, with an empty box each. Read
/// from the database rather than the roster read model, so a list printed right after a change is complete.
/// </summary>
public sealed class CheckInListModel(EventCatalog catalog, EnrollmentExports exports) : PageModel
{
    public EventInfo Event { get; private set; } = null!;

    public IReadOnlyList<ExportedEnrollment> People { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await catalog.FindAsync(id, cancellationToken) is not { } info)
        {
            return NotFound();
        }

        Event = info;
        People = await exports.CheckInListAsync(id, cancellationToken);
        return Page();
    }
}
