using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using OrleansEnrollment.WebFrontend.Accounts;
using OrleansEnrollment.WebFrontend.Hosting;

namespace OrleansEnrollment.WebFrontend.Pages.Account;

/// <summary>The reset link lands here: a new password, which also ends every session of the account.</summary>
[EnableRateLimiting(WebSecurityExtensions.SignInRateLimit)]
public sealed class ResetModel(UserAccounts accounts) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public bool Done { get; private set; }

    public string? Failure { get; private set; }

    public void OnGet()
    {
    }

    public async Task OnPostAsync(CancellationToken cancellationToken)
    {
        if (UserAccounts.ValidatePassword(Password) is { } problem)
        {
            ModelState.AddModelError(nameof(Password), problem);
            return;
        }

        Done = await accounts.ResetPasswordAsync(Token, Password!, cancellationToken);
        Failure = Done ? null : "This link is not valid: it was used already, or it has expired. Ask for a new one.";
    }
}
