using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansEnrollment.Catalog;

namespace OrleansEnrollment.WebFrontend.Pages.Admin;

public sealed class IndexModel(EventCatalog catalog) : PageModel
{
    /// <summary>The TempData key of a message for this page from another (say, "the event is deleted").</summary>
    public const string NoticeKey = "Notice";

    [TempData(Key = NoticeKey)]
    public string? Notice { get; set; }

    public IReadOnlyList<EventInfo> Events { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => Events = await catalog.ListAsync(cancellationToken);
}
