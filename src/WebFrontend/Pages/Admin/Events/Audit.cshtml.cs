using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.WebFrontend.Accounts;

namespace OrleansEnrollment.WebFrontend.Pages.Admin.Events;

/// <summary>Every status an enrollment went through, with who asked for it and under which request.</summary>
public sealed class AuditModel(EventCatalog catalog, EnrollmentQueries queries, UserAccounts accounts) : PageModel
{
    public EventInfo Event { get; private set; } = null!;

    public Guid EnrollmentId { get; private set; }

    public IReadOnlyList<EnrollmentTransition> Transitions { get; private set; } = [];

    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();

    /// <summary>The person enrolled: whoever asked for the enrollment in its first transition.</summary>
    public string? Enrollee => Transitions.FirstOrDefault()?.ActorId is { } actor ? Names.GetValueOrDefault(actor) : null;

    public async Task<IActionResult> OnGetAsync(Guid id, Guid enrollmentId, CancellationToken cancellationToken)
    {
        if (await catalog.FindAsync(id, cancellationToken) is not { } info)
        {
            return NotFound();
        }

        Transitions = await queries.ListTransitionsForEnrollmentAsync(id, enrollmentId, cancellationToken);
        if (Transitions.Count == 0)
        {
            return NotFound();
        }

        Event = info;
        EnrollmentId = enrollmentId;
        Names = await accounts.DisplayNamesAsync(Transitions.Select(t => t.ActorId).OfType<Guid>(), cancellationToken);
        return Page();
    }

    /// <summary>Who asked: a person by name, or the system for what follows from another change (a waitlist promotion).</summary>
    public string Actor(Guid? actorId) =>
        actorId is { } id ? Names.GetValueOrDefault(id, id.ToString()) : "system";
}
