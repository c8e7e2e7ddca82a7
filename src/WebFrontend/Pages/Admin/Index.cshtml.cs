using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansEnrollment.Catalog;

namespace OrleansEnrollment.WebFrontend.Pages.Admin;

public sealed class IndexModel(EventCatalog catalog) : PageModel
{
    public IReadOnlyList<EventInfo> Events { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => Events = await catalog.ListAsync(cancellationToken);
}
