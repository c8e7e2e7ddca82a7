using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using OrleansEnrollment.WebFrontend.Accounts;
using OrleansEnrollment.WebFrontend.Hosting;

namespace OrleansEnrollment.WebFrontend.Pages.Account;

[EnableRateLimiting(WebSecurityExtensions.SignInRateLimit)]
public sealed class ResendConfirmationModel(UserAccounts accounts) : PageModel
{
    [BindProperty]
    public string? Email { get; set; }

    public bool Sent { get; private set; }

    public void OnGet() => Email = User.Identity?.IsAuthenticated == true ? User.FindFirst(System.Security.Claims.ClaimTypes.Email)?.Value : null;

    public async Task OnPostAsync(CancellationToken cancellationToken)
    {
        await accounts.ResendConfirmationAsync(Email, cancellationToken);
        Sent = true;
    }
}
