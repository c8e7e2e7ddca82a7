using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using OrleansEnrollment.WebFrontend.Accounts;
using OrleansEnrollment.WebFrontend.Hosting;

namespace OrleansEnrollment.WebFrontend.Pages.Account;

// On the class because Razor Pages take endpoint metadata from the page, not from a handler method; the policy counts
// only POSTs, so showing the form is free.
[EnableRateLimiting(WebSecurityExtensions.SignInRateLimit)]
public sealed class SignInModel(UserAccounts accounts, SignInThrottle throttle, TimeProvider clock) : PageModel
{
    // One message for an unknown address and a wrong password, so the form does not reveal who has an account.
    public const string Failed = "E-mail or password is not right";

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Failure { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(throttle.DelayFor(Email), cancellationToken);
        var account = await accounts.VerifyAsync(Email, Password, cancellationToken);
        if (account is null)
        {
            throttle.Failed(Email);
            Failure = Failed;
            return Page();
        }

        throttle.Succeeded(Email);
        const string scheme = CookieAuthenticationDefaults.AuthenticationScheme;
        await HttpContext.SignInAsync(scheme, UserAccounts.PrincipalFor(account, scheme, clock.GetUtcNow()));
        return LocalRedirect(ReturnUrls.SafeOrDefault(Url, ReturnUrl));
    }
}
