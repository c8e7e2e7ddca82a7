using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OrleansEnrollment.WebFrontend.Pages;

/// <summary>
/// What a page visitor sees for an error status with no body of its own (an unknown address, too many sign-in attempts,
/// a forbidden page): the status page is re-executed in place of the empty answer, keeping its status code. API routes
/// never get here; they answer problem details (see <c>WebFrontendExtensions.UseWebFrontend</c>).
/// </summary>
// Re-execution keeps the failed request's method, so a refused POST (a 429 on the sign-in form) renders this page as a
// POST too: it has nothing to protect, and demanding an antiforgery token would turn the answer into a 400.
[IgnoreAntiforgeryToken]
public sealed class StatusModel : PageModel
{
    /// <summary>The status described: the route's code, or 404 for a code that is not an error.</summary>
    public int Code => int.TryParse(RouteData.Values["code"]?.ToString(), out var code) && code is >= 400 and <= 599
        ? code
        : StatusCodes.Status404NotFound;

    public (string Heading, string Advice) Text => Describe(Code);

    // Only GET has a handler: a re-executed request of another method renders the page without one (Razor Pages does
    // that when no handler matches) and keeps its status. Visited directly, the page answers with the status it
    // describes, since a 200 saying "not found" would mislead tools.
    public void OnGet() => Response.StatusCode = Code;

    private static (string Heading, string Advice) Describe(int code) => code switch
    {
        StatusCodes.Status400BadRequest => ("That request could not be understood", "Go back, reload the page and try again."),
        StatusCodes.Status401Unauthorized => ("Please sign in", "This page is for signed-in users."),
        StatusCodes.Status403Forbidden => ("You do not have access to this page", "If you think you should, ask an administrator."),
        StatusCodes.Status404NotFound => ("Page not found", "The address may be mistyped, or the page has moved. Start again from the events."),
        StatusCodes.Status405MethodNotAllowed => ("That action is not available here", "Go back and use the page's own buttons."),
        StatusCodes.Status413PayloadTooLarge => ("That was too much to send", "Send less (at most 1 MB) and try again."),
        StatusCodes.Status429TooManyRequests => ("Too many attempts", "Wait a minute, then try again."),
        StatusCodes.Status503ServiceUnavailable => ("We are briefly unavailable", "Nothing was lost. Try again in a few seconds."),
        >= 500 => ("Something went wrong on our side", "Try again in a moment; if it keeps happening, tell an administrator."),
        _ => ("That did not work", "Go back and try again."),
    };
}
