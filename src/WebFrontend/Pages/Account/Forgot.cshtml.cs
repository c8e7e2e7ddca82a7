using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using OrleansEnrollment.WebFrontend.Accounts;
using OrleansEnrollment.WebFrontend.Hosting;

namespace OrleansEnrollment.WebFrontend.Pages.Account;

/// <summary>Asks for a link to set a new password; the page says the same whether or not the address has an account.</summary>
[EnableRateLimiting(WebSecurityExtensions.SignInRateLimit)]
public sealed class ForgotModel(UserAccounts accounts) : PageModel
{
    [BindProperty]
    public string? Email { get; set; }

    public bool Sent { get; private set; }

    public void OnGet()
    {
    }

    public async Task OnPostAsync(CancellationToken cancellationToken)
    {
        await accounts.RequestPasswordResetAsync(Email, cancellationToken);
        Sent = true;
    }
}
