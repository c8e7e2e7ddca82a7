using Microsoft.Extensions.Options;
using Npgsql;

namespace OrleansEnrollment.WebFrontend.Accounts;

public enum GrantOutcome
{
    Granted,

    /// <summary>No account has this address, or it has not confirmed it: the role is only ever given to a proven owner.</summary>
    NoConfirmedAccount,
}

public enum RevokeOutcome
{
    Revoked,
    NotAnAdmin,

    /// <summary>The address is named in <c>Enrollment:Admins</c>; only the configuration can take it away.</summary>
    NamedInConfiguration,

    /// <summary>An admin cannot revoke themselves, so the site is never left without one by a slip.</summary>
    Self,
}

/// <summary>One admin as the admin page lists them.</summary>
public sealed record AdminEntry(Guid UserId, string Email, string DisplayName, bool NamedInConfiguration);

/// <summary>
/// Who holds the admin role. It is only ever given to an account whose address is confirmed (a constraint of migration
/// 0020 holds that for stored flags, <see cref="UserAccount.Read"/> for the addresses in <c>Enrollment:Admins</c>),
/// and every grant or revocation replaces the account's security stamp, so its sessions end within
/// <see cref="AccountOptions.SessionRevalidation"/> and its next sign-in carries the new role.
/// </summary>
public sealed class AdminRoles(NpgsqlDataSource dataSource, UserAccounts accounts, IOptionsMonitor<AdminOptions> admins)
{
    public async Task<GrantOutcome> GrantAsync(string email, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            UPDATE users SET is_admin = true, security_stamp = gen_random_uuid()
             WHERE lower(email) = lower($1) AND email_verified_at IS NOT NULL
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = email.Trim() });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1 ? GrantOutcome.Granted : GrantOutcome.NoConfirmedAccount;
    }

    public async Task<RevokeOutcome> RevokeAsync(Guid userId, Guid revokedBy, CancellationToken cancellationToken = default)
    {
        if (userId == revokedBy)
        {
            return RevokeOutcome.Self;
        }

        if (await accounts.FindAsync(userId, cancellationToken) is not { IsAdmin: true } account)
        {
            return RevokeOutcome.NotAnAdmin;
        }

        if (admins.CurrentValue.Names(account.Email))
        {
            return RevokeOutcome.NamedInConfiguration;
        }

        await using var command = dataSource.CreateCommand("UPDATE users SET is_admin = false, security_stamp = gen_random_uuid() WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return RevokeOutcome.Revoked;
    }

    public async Task<IReadOnlyList<AdminEntry>> ListAsync(CancellationToken cancellationToken = default)
    {
        var named = admins.CurrentValue.Admins.Select(address => address.Trim().ToLowerInvariant()).ToArray();
        await using var command = dataSource.CreateCommand(
            $"SELECT {UserAccount.Columns} FROM users WHERE email_verified_at IS NOT NULL AND (is_admin OR lower(email) = ANY($1)) ORDER BY email");
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = named });
        var list = new List<AdminEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var account = UserAccount.Read(reader, admins.CurrentValue);
            list.Add(new AdminEntry(account.Id, account.Email, account.DisplayName, admins.CurrentValue.Names(account.Email)));
        }

        return list;
    }

    /// <summary>
    /// The first admin, from <c>Enrollment:BootstrapAdmin</c>: created confirmed and admin when the address has no
    /// account; an existing account is made admin only if its address is confirmed, and its password is never touched.
    /// </summary>
    public async Task<string> EnsureBootstrapAdminAsync(BootstrapAdminOptions bootstrap, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(bootstrap.Email) || string.IsNullOrEmpty(bootstrap.Password))
        {
            return "no bootstrap admin configured";
        }

        if (!UserAccounts.IsValidEmail(bootstrap.Email) || UserAccounts.ValidatePassword(bootstrap.Password) is not null)
        {
            throw new InvalidOperationException(
                $"Enrollment:BootstrapAdmin needs a valid e-mail address and a password of {AccountRules.MinPasswordLength} to {AccountRules.MaxPasswordLength} characters.");
        }

        var created = await accounts.CreateConfirmedAsync(bootstrap.Email, bootstrap.Password, bootstrap.DisplayName, demo: false, cancellationToken);
        return await GrantAsync(bootstrap.Email, cancellationToken) == GrantOutcome.Granted
            ? created ? "bootstrap admin created" : "bootstrap admin: the existing account is an admin"
            : "bootstrap admin: the address has an account that has not confirmed it, so it was not made an admin";
    }

    /// <summary>Whether any of the development demo accounts exists: a host outside Development refuses to start then.</summary>
    public async Task<bool> AnyDemoAccountAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM users WHERE is_demo)");
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
