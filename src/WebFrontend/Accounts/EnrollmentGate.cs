using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace OrleansEnrollment.WebFrontend.Accounts;

/// <summary>
/// Who may take a seat: with <see cref="AccountOptions.RequireVerifiedEmail"/>, only an account that proved it owns its
/// address, so throwaway registrations cannot fill a limited event.
/// </summary>
public sealed class EnrollmentGate(SessionValidation sessions, IOptionsMonitor<AccountOptions> options)
{
    public async Task<bool> MayEnrollAsync(ClaimsPrincipal user, CancellationToken cancellationToken) =>
        !options.CurrentValue.RequireVerifiedEmail || await sessions.IsConfirmedAsync(user.UserId(), cancellationToken);
}
