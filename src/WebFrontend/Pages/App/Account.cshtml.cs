using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansEnrollment.WebFrontend.Accounts;

namespace OrleansEnrollment.WebFrontend.Pages.App;

/// <summary>The signed-in account: whether its address is confirmed, e-mail notifications, a new password, and ending every session.</summary>
public sealed class AccountModel(UserAccounts accounts) : PageModel
{
    public UserAccount Account { get; private set; } = null!;

    [BindProperty]
    public string? CurrentPassword { get; set; }

    [BindProperty]
    public bool EmailNotifications { get; set; }

    public string? Saved { get; private set; }

    [BindProperty]
    public string? NewPassword { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ? Page() : Forbid();

    public async Task<IActionResult> OnPostPasswordAsync(CancellationToken cancellationToken)
    {
        if (UserAccounts.ValidatePassword(NewPassword) is { } problem)
        {
            ModelState.AddModelError(nameof(NewPassword), problem);
        }
        else if (!await accounts.ChangePasswordAsync(User.UserId(), CurrentPassword, NewPassword!, cancellationToken))
        {
            ModelState.AddModelError(nameof(CurrentPassword), "The current password is not right.");
        }
        else
        {
            // Every session ended with the new password, this one too: sign in with it.
            await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return LocalRedirect("/account/signin");
        }

        return await LoadAsync(cancellationToken) ? Page() : Forbid();
    }

    public async Task<IActionResult> OnPostNotificationsAsync(CancellationToken cancellationToken)
    {
        await accounts.SetEmailNotificationsAsync(User.UserId(), EmailNotifications, cancellationToken);
        if (!await LoadAsync(cancellationToken))
        {
            return Forbid();
        }

        Saved = EmailNotifications ? "E-mail notifications are on." : "E-mail notifications are off. They stay on this site's Notifications page.";
        return Page();
    }

    public async Task<IActionResult> OnPostSignOutEverywhereAsync(CancellationToken cancellationToken)
    {
        await accounts.EndAllSessionsAsync(User.UserId(), cancellationToken);
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return LocalRedirect("/account/signin");
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        Account = (await accounts.FindAsync(User.UserId(), cancellationToken))!;
        EmailNotifications = await accounts.EmailNotificationsAsync(User.UserId(), cancellationToken) ?? false;
        return Account is not null;
    }
}
