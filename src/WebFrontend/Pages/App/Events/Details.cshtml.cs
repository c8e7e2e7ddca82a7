using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.WebFrontend.Accounts;
using OrleansEnrollment.WebFrontend.Pages.Shared;

namespace OrleansEnrollment.WebFrontend.Pages.App.Events;

public sealed class DetailsModel(EventCatalog catalog, IGrainFactory grains) : PageModel
{
    public const string Unavailable = "Your enrollment could not be saved right now. Please try again in a moment.";

    public EventInfo Event { get; private set; } = null!;

    /// <summary>The user's live enrollment; a cancelled one does not hold them a place.</summary>
    public Enrollment? Enrollment { get; private set; }

    public string? Problem { get; private set; }

    public bool Holds => Enrollment is { Status: not EnrollmentStatus.Cancelled };

    public bool ShowFull => !Holds && EventAvailability.RefusesNewcomers(Event);

    public bool CanEnroll => !Holds && !ShowFull;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        try
        {
            // Each press is a new request; pressing twice is harmless because the grain returns the first enrollment.
            var result = await grains.GetGrain<IEventCapacityGrain>(id).Enroll(User.UserId(), Guid.NewGuid());
            if (result.Outcome == EnrollmentOutcome.EventNotFound)
            {
                return NotFound();
            }
        }
        catch (EnrollmentUnavailableException)
        {
            Problem = Unavailable;
            return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
        }

        // Post/redirect/get: reloading the page shows the enrollment instead of offering to send the form again.
        return LocalRedirect($"/app/events/{id}");
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await catalog.FindAsync(id, cancellationToken) is not { } info)
        {
            return false;
        }

        Event = info;
        Enrollment = await grains.GetGrain<IEventCapacityGrain>(id).GetEnrollment(User.UserId());
        return true;
    }
}
