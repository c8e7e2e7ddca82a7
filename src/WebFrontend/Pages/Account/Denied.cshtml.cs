using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OrleansEnrollment.WebFrontend.Pages.Account;

/// <summary>Where the cookie handler sends a signed-in user who lacks a role. A 403, so the refusal is visible to tools too.</summary>
public sealed class DeniedModel : PageModel
{
    public const string Message = "You do not have access to this page";

    public void OnGet() => Response.StatusCode = StatusCodes.Status403Forbidden;
}
