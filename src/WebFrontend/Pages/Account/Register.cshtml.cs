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
    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? DisplayName { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>The form was taken: the page says to check the inbox, the same whether or not the address was free.</summary>
    public bool Sent { get; private set; }

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

        await accounts.RegisterAsync(Email!, Password!, DisplayName!, cancellationToken);
        Sent = true;
        return Page();
    }
}
