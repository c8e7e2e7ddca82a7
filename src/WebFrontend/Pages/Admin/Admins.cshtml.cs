using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansEnrollment.WebFrontend.Accounts;

namespace OrleansEnrollment.WebFrontend.Pages.Admin;

/// <summary>Who is an admin; granting the role (to a confirmed account only) and taking it away.</summary>
public sealed class AdminsModel(AdminRoles roles) : PageModel
{
    public IReadOnlyList<AdminEntry> Admins { get; private set; } = [];

    [BindProperty]
    public string? Email { get; set; }

    public string? Message { get; private set; }

    public string? Problem { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => Admins = await roles.ListAsync(cancellationToken);

    public async Task OnPostGrantAsync(CancellationToken cancellationToken)
    {
        if (!UserAccounts.IsValidEmail(Email))
        {
            ModelState.AddModelError(nameof(Email), "Enter the e-mail address of an account.");
        }
        else if (await roles.GrantAsync(Email!, cancellationToken) == GrantOutcome.Granted)
        {
            Message = $"{Email} is now an admin.";
            Email = null;
        }
        else
        {
            Problem = "No account has confirmed this address: the admin role is only given to an account that has proved it owns its address.";
        }

        Admins = await roles.ListAsync(cancellationToken);
    }

    public async Task OnPostRevokeAsync(Guid userId, CancellationToken cancellationToken)
    {
        var outcome = await roles.RevokeAsync(userId, User.UserId(), cancellationToken);
        (Message, Problem) = outcome switch
        {
            RevokeOutcome.Revoked => ("The role was taken away; that account's sessions end within half a minute.", (string?)null),
            RevokeOutcome.Self => (null, "You cannot take the role from yourself; ask another admin."),
            RevokeOutcome.NamedInConfiguration => (null, "This address is named in the configuration (Enrollment:Admins); remove it there."),
            _ => (null, "That account is not an admin."),
        };
        Admins = await roles.ListAsync(cancellationToken);
    }
}
