using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using OrleansEnrollment.WebFrontend.Accounts;
using OrleansEnrollment.WebFrontend.Hosting;

namespace OrleansEnrollment.WebFrontend.Pages.Account;

// On the class because Razor Pages take endpoint metadata from the page, not from a handler method.
[EnableRateLimiting(WebSecurityExtensions.SignInRateLimit)]
public sealed class RegisterModel(UserAccounts accounts) : PageModel
{
    public const string EmailTaken = "An account with this e-mail already exists";

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? DisplayName { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        foreach (var (field, messages) in UserAccounts.Validate(Email, Password, DisplayName))
        {
            foreach (var message in messages)
            {
                // UserAccounts names fields as the JSON API does (camelCase); the form's inputs carry the property names.
                ModelState.AddModelError(char.ToUpperInvariant(field[0]) + field[1..], message);
            }
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var (outcome, account) = await accounts.RegisterAsync(Email!, Password!, DisplayName!, cancellationToken);
        if (outcome == RegistrationOutcome.EmailTaken)
        {
            ModelState.AddModelError(nameof(Email), EmailTaken);
            return Page();
        }

        const string scheme = CookieAuthenticationDefaults.AuthenticationScheme;
        await HttpContext.SignInAsync(scheme, UserAccounts.PrincipalFor(account!, scheme));
        return LocalRedirect(ReturnUrls.SafeOrDefault(Url, ReturnUrl));
    }
}
