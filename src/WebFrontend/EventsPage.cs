using System.Net;
using System.Text;
using OrleansEnrollment.Catalog;

namespace OrleansEnrollment.WebFrontend;

/// <summary>A plain page listing events and their counts. The full app and admin panels replace it later.</summary>
public static class EventsPage
{
    public static IEndpointRouteBuilder MapEventsPage(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", RenderAsync);
        return endpoints;
    }

    private static async Task<IResult> RenderAsync(EventCatalog catalog, CancellationToken cancellationToken)
    {
        var events = await catalog.ListAsync(cancellationToken);
        var html = new StringBuilder(
            """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Orleans Enrollment</title>
            <style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{padding:.4rem .8rem;border-bottom:1px solid #ddd;text-align:left}</style>
            </head><body><h1>Events</h1>
            """);
        if (events.Count == 0)
        {
            html.Append("<p>No events yet.</p>");
        }
        else
        {
            html.Append("<table><thead><tr><th>Event</th><th>Starts</th><th>Capacity</th><th>Active</th><th>Waitlisted</th><th>Status</th></tr></thead><tbody>");
            foreach (var item in events)
            {
                var capacity = item.Policy.Capacity?.ToString() ?? "unlimited";
                var status = item.IsFull ? (item.Policy.HasWaitlist ? "Full: waitlist open" : "Event is full") : "Open";
                html.Append($"<tr><td>{Encode(item.Title)}</td><td>{item.StartsAt:yyyy-MM-dd HH:mm} UTC</td><td>{capacity}</td>")
                    .Append($"<td>{item.ActiveCount}</td><td>{item.WaitlistCount}</td><td>{status}</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        html.Append("</body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
