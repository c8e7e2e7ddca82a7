using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.WebFrontend.Accounts;

namespace OrleansEnrollment.WebFrontend.Pages.App;

public sealed class EnrollmentsModel(EnrollmentQueries queries, EventCatalog catalog) : PageModel
{
    public IReadOnlyList<Enrollment> Enrollments { get; private set; } = [];

    public IReadOnlyDictionary<Guid, string> Titles { get; private set; } = new Dictionary<Guid, string>();

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Enrollments = await queries.ListForUserAsync(User.UserId(), cancellationToken);
        Titles = (await catalog.ListAsync(cancellationToken)).ToDictionary(info => info.Id, info => info.Title);
    }
}
