using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace OrleansEnrollment.WebFrontend.LiveUpdates;

/// <summary>
/// The browser's live connection (<c>/hubs/enrollment</c>, signed-in people only). A page asks to watch the events it
/// shows; when one of them moves, the page is sent <c>eventChanged(eventId, sequence)</c> and reloads its own live parts
/// through the normal, authorized page request. The message says nothing else, so watching an event reveals nothing.
/// </summary>
[Authorize]
public sealed class EnrollmentHub(EventWatchFeed feed) : Hub
{
    public const string Path = "/hubs/enrollment";

    public const string EventChangedMethod = "eventChanged";

    /// <summary>A page shows a handful of events; this bounds what one connection can make the cluster do.</summary>
    public const int MaxWatchedEventsPerConnection = 100;

    public static string GroupFor(Guid eventId) => $"event:{eventId:N}";

    public async Task Watch(Guid eventId)
    {
        var watched = Watched();
        if (watched.Contains(eventId))
        {
            return;
        }

        if (watched.Count >= MaxWatchedEventsPerConnection)
        {
            throw new HubException($"A connection watches at most {MaxWatchedEventsPerConnection} events.");
        }

        watched.Add(eventId);
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupFor(eventId));
        await feed.WatchAsync(eventId);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        foreach (var eventId in Watched())
        {
            await feed.UnwatchAsync(eventId);
        }

        await base.OnDisconnectedAsync(exception);
    }

    // Hub instances live for one call; the connection's items live as long as the connection.
    private HashSet<Guid> Watched()
    {
        if (Context.Items.TryGetValue(nameof(Watched), out var value) && value is HashSet<Guid> watched)
        {
            return watched;
        }

        watched = [];
        Context.Items[nameof(Watched)] = watched;
        return watched;
    }
}
