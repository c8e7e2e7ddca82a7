using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansEnrollment.WebFrontend.Accounts;

namespace OrleansEnrollment.WebFrontend.Pages.Account;

/// <summary>The link mailed at registration lands here and confirms the address.</summary>
public sealed class ConfirmModel(UserAccounts accounts) : PageModel
{
    public bool Confirmed { get; private set; }

    public async Task OnGetAsync(string? token, CancellationToken cancellationToken)
    {
        Confirmed = await accounts.ConfirmEmailAsync(token, cancellationToken);
        if (!Confirmed)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
    }
}
