using System.Security.Claims;

namespace OrleansEnrollment.WebFrontend.Accounts;

public static class ClaimsPrincipalExtensions
{
    /// <summary>The signed-in user's id. Only call behind an authorization requirement.</summary>
    public static Guid UserId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id)
            ? id
            : throw new InvalidOperationException("The request is not signed in.");

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(UserAccounts.AdminRole);
}
