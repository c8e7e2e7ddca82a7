using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace OrleansEnrollment.WebFrontend.Accounts;

/// <summary>
/// Holds every signed-in request (cookie or bearer token) against its account as it is now: the session must carry the
/// account's current security stamp and role, and a cookie must be younger than
/// <see cref="AccountOptions.SessionLifetime"/>. A session that fails is treated as signed out (a cookie is also
/// deleted). The account is read at most once per <see cref="AccountOptions.SessionRevalidation"/> per user and
/// frontend while sessions match it, which bounds how long a revocation takes to reach every client; a session that does
/// not match is held against a fresh read before it is refused.
/// </summary>
public sealed class SessionValidation(UserAccounts accounts, IOptionsMonitor<AccountOptions> options, TimeProvider clock)
{
    // Bounds the memory of a frontend that sees very many users: forgetting costs one read per user.
    private const int MaxRemembered = 100_000;

    private readonly ConcurrentDictionary<Guid, (UserAccount? Account, DateTimeOffset ReadAt)> recent = new();

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (context.User.Identity is { IsAuthenticated: true } identity && !await IsCurrentAsync(context.User, identity.AuthenticationType, context.RequestAborted))
        {
            if (identity.AuthenticationType == CookieAuthenticationDefaults.AuthenticationScheme)
            {
                await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            }

            context.User = new ClaimsPrincipal(new ClaimsIdentity());
        }

        await next();
    }

    public async Task<bool> IsCurrentAsync(ClaimsPrincipal user, string? scheme, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var userId) ||
            !Guid.TryParse(user.FindFirstValue(UserAccounts.StampClaim), out var stamp) ||
            !long.TryParse(user.FindFirstValue(UserAccounts.SignedInAtClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var signedInAt))
        {
            // issued before sessions carried a stamp: sign in again
            return false;
        }

        var now = clock.GetUtcNow();
        if (scheme == CookieAuthenticationDefaults.AuthenticationScheme &&
            now - DateTimeOffset.FromUnixTimeSeconds(signedInAt) > options.CurrentValue.SessionLifetime)
        {
            return false;
        }

        var account = await CurrentAsync(userId, now, cancellationToken);
        if (!Matches(account, stamp, user))
        {
            // A remembered account may be older than the session (signed in again after "sign out everywhere" or a
            // role change): only the database can refuse it.
            account = await ReadAsync(userId, now, cancellationToken);
        }

        return Matches(account, stamp, user);
    }

    private static bool Matches(UserAccount? account, Guid stamp, ClaimsPrincipal user) =>
        account is not null && account.SecurityStamp == stamp && account.IsAdmin == user.IsInRole(UserAccounts.AdminRole);

    /// <summary>
    /// Whether the account has confirmed its address. A confirmation never goes back, so a remembered "yes" is trusted;
    /// a "no" is read again, so a user who just followed their link can enroll at once.
    /// </summary>
    public async Task<bool> IsConfirmedAsync(Guid userId, CancellationToken cancellationToken)
    {
        if (recent.TryGetValue(userId, out var known) && known.Account is { EmailConfirmed: true })
        {
            return true;
        }

        return (await ReadAsync(userId, clock.GetUtcNow(), cancellationToken))?.EmailConfirmed == true;
    }

    private async Task<UserAccount?> CurrentAsync(Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (recent.TryGetValue(userId, out var known) && now - known.ReadAt < options.CurrentValue.SessionRevalidation)
        {
            return known.Account;
        }

        return await ReadAsync(userId, now, cancellationToken);
    }

    private async Task<UserAccount?> ReadAsync(Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var account = await accounts.FindAsync(userId, cancellationToken);
        if (recent.Count >= MaxRemembered)
        {
            recent.Clear();
        }

        recent[userId] = (account, now);
        return account;
    }
}
