using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Notifications;
using OrleansEnrollment.WebFrontend.Accounts;

namespace OrleansEnrollment.WebFrontend.Pages.App;

public sealed class NotificationsModel(NotificationQueries notifications, EventCatalog catalog) : PageModel
{
    /// <summary>Newest first, as the query returns them.</summary>
    public IReadOnlyList<Notification> Notifications { get; private set; } = [];

    public IReadOnlyDictionary<Guid, string> Titles { get; private set; } = new Dictionary<Guid, string>();

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Notifications = await notifications.ListForUserAsync(User.UserId(), cancellationToken);
        Titles = (await catalog.ListAsync(cancellationToken)).ToDictionary(info => info.Id, info => info.Title);
    }
}
