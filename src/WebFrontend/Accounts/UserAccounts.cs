using System.Net.Mail;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;
using OrleansEnrollment.Mail;
using OrleansEnrollment.WebFrontend.Api;

namespace OrleansEnrollment.WebFrontend.Accounts;

/// <summary>
/// Local accounts: registration with a confirmed address, password checks (ASP.NET Core's password hasher), password
/// resets by mail, and the claims a sign-in carries. Nothing here tells a caller whether an address has an account:
/// registering a taken address and signing in with an unknown one get the answer, and cost the work, of the other case.
/// </summary>
public sealed class UserAccounts(
    NpgsqlDataSource dataSource, MailOutbox outbox, AccountMails mails, IOptionsMonitor<AdminOptions> admins, IOptionsMonitor<AccountOptions> options)
{
    public const string AdminRole = "admin";

    /// <summary>The account's security stamp when the session or token was issued; refused once the account's differs.</summary>
    public const string StampClaim = "enrollment:stamp";

    /// <summary>When the user signed in (Unix seconds): a cookie is refused <see cref="AccountOptions.SessionLifetime"/> after it.</summary>
    public const string SignedInAtClaim = "enrollment:signed_in_at";

    private static readonly PasswordHasher<UserAccount> Hasher = new();

    // Verified against when an address has no account, so that case costs what a wrong password costs.
    private static readonly string UnknownAccountHash = Hasher.HashPassword(null!, Guid.NewGuid().ToString());

    /// <summary>Checks what a registration form or request carries; returns the problems by field (empty when fine).</summary>
    public static Dictionary<string, string[]> Validate(string? email, string? password, string? displayName)
    {
        var problems = new Dictionary<string, string[]>();
        if (!IsValidEmail(email))
        {
            problems["email"] = [$"Enter a valid e-mail address of at most {AccountRules.MaxEmailLength} characters."];
        }

        if (ValidatePassword(password) is { } passwordProblem)
        {
            problems["password"] = [passwordProblem];
        }

        if (string.IsNullOrWhiteSpace(displayName) || displayName.Trim().Length > AccountRules.MaxDisplayNameLength || !StorableText.IsStorable(displayName))
        {
            problems["displayName"] = [$"A display name has 1 to {AccountRules.MaxDisplayNameLength} characters."];
        }

        return problems;
    }

    public static string? ValidatePassword(string? password) =>
        password is null || password.Length is < AccountRules.MinPasswordLength or > AccountRules.MaxPasswordLength || !StorableText.IsStorable(password)
            ? $"A password has {AccountRules.MinPasswordLength} to {AccountRules.MaxPasswordLength} characters."
            : null;

    public static bool IsValidEmail(string? email) =>
        !string.IsNullOrWhiteSpace(email) && email.Length <= AccountRules.MaxEmailLength && StorableText.IsStorable(email) &&
        MailAddress.TryCreate(email.Trim(), out var address) && address.Address == email.Trim() && email.Contains('@');

    /// <summary>
    /// Registers an unconfirmed account and mails it a link to confirm the address; when the address already has an
    /// account, mails its owner instead. Either way the password is hashed and one mail is written, so the caller (and
    /// the clock) cannot tell which happened.
    /// </summary>
    /// <returns>True when a new account was created (for the caller's logs and tests, never for its answer).</returns>
    public async Task<bool> RegisterAsync(string email, string password, string displayName, CancellationToken cancellationToken = default)
    {
        var account = new UserAccount(Guid.CreateVersion7(), email.Trim(), displayName.Trim(), false, false, Guid.NewGuid());
        var hash = Hasher.HashPassword(account, password);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var created = await InsertAsync(connection, transaction, account, hash, confirmed: false, demo: false, cancellationToken);
        OutgoingMail mail;
        if (created)
        {
            var token = await AccountTokens.CreateAsync(
                connection, transaction, account.Id, TokenPurpose.ConfirmEmail, options.CurrentValue.ConfirmationLinkLifetime, cancellationToken);
            mail = mails.ConfirmAddress(account.Email, account.DisplayName, token);
        }
        else
        {
            mail = mails.AlreadyRegistered(account.Email);
        }

        await MailOutbox.AddAsync(connection, transaction, [mail], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        outbox.Added();
        return created;
    }

    /// <summary>An account whose address is already known to be its owner's (the bootstrap admin, demo accounts).</summary>
    /// <returns>False when the address already has an account (which is left as it is).</returns>
    public async Task<bool> CreateConfirmedAsync(string email, string password, string displayName, bool demo, CancellationToken cancellationToken = default)
    {
        var account = new UserAccount(Guid.CreateVersion7(), email.Trim(), displayName.Trim(), false, true, Guid.NewGuid());
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await InsertAsync(connection, null, account, Hasher.HashPassword(account, password), confirmed: true, demo, cancellationToken);
    }

    /// <summary>Sends a new confirmation link to an unconfirmed account's address; does nothing otherwise (and says nothing).</summary>
    public async Task ResendConfirmationAsync(string? email, CancellationToken cancellationToken = default)
    {
        if (!IsValidEmail(email))
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await FindByEmailAsync(connection, transaction, email!, cancellationToken) is { EmailConfirmed: false } account)
        {
            var token = await AccountTokens.CreateAsync(
                connection, transaction, account.Id, TokenPurpose.ConfirmEmail, options.CurrentValue.ConfirmationLinkLifetime, cancellationToken);
            await MailOutbox.AddAsync(connection, transaction, [mails.ConfirmAddress(account.Email, account.DisplayName, token)], cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        outbox.Added();
    }

    /// <summary>Confirms the address the link was sent to; false for an unknown, used or expired link.</summary>
    public async Task<bool> ConfirmEmailAsync(string? token, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await AccountTokens.ConsumeAsync(connection, transaction, token, TokenPurpose.ConfirmEmail, cancellationToken) is not { } userId)
        {
            return false;
        }

        await using (var confirm = new NpgsqlCommand(
            "UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1", connection, transaction))
        {
            confirm.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
            await confirm.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Mails a link to set a new password when the address has an account; the caller's answer is the same either way.</summary>
    public async Task RequestPasswordResetAsync(string? email, CancellationToken cancellationToken = default)
    {
        if (!IsValidEmail(email))
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await FindByEmailAsync(connection, transaction, email!, cancellationToken) is { } account)
        {
            var token = await AccountTokens.CreateAsync(
                connection, transaction, account.Id, TokenPurpose.ResetPassword, options.CurrentValue.ResetLinkLifetime, cancellationToken);
            await MailOutbox.AddAsync(connection, transaction, [mails.ResetPassword(account.Email, token)], cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        outbox.Added();
    }

    /// <summary>
    /// Sets a new password with a mailed link. Following the link also proves the address; every session and token of
    /// the account ends. False for an unknown, used or expired link.
    /// </summary>
    public async Task<bool> ResetPasswordAsync(string? token, string password, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await AccountTokens.ConsumeAsync(connection, transaction, token, TokenPurpose.ResetPassword, cancellationToken) is not { } userId)
        {
            return false;
        }

        await SetPasswordAsync(connection, transaction, userId, password, confirmEmail: true, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Changes the password of a signed-in user who knows the current one; ends every session and token.</summary>
    public async Task<bool> ChangePasswordAsync(Guid userId, string? current, string password, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand($"SELECT {UserAccount.Columns}, password_hash FROM users WHERE id = $1 FOR UPDATE", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken) ||
                Hasher.VerifyHashedPassword(UserAccount.Read(reader, admins.CurrentValue), reader.GetString(6), current ?? "") == PasswordVerificationResult.Failed)
            {
                return false;
            }
        }

        await SetPasswordAsync(connection, transaction, userId, password, confirmEmail: false, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Ends every session and bearer token of the account (within <see cref="AccountOptions.SessionRevalidation"/>).</summary>
    public async Task EndAllSessionsAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("UPDATE users SET security_stamp = gen_random_uuid() WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Whether the person wants their notifications by e-mail too (null: no such account).</summary>
    public async Task<bool?> EmailNotificationsAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT email_notifications FROM users WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
        return await command.ExecuteScalarAsync(cancellationToken) as bool?;
    }

    /// <returns>False when there is no such account.</returns>
    public async Task<bool> SetEmailNotificationsAsync(Guid userId, bool on, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("UPDATE users SET email_notifications = $2 WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = on });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The account whose password this is, or null: the same answer, after the same work, for an unknown address and a wrong password.</summary>
    public async Task<UserAccount?> VerifyAsync(string? email, string? password, CancellationToken cancellationToken = default)
    {
        if (!IsValidEmail(email) || string.IsNullOrEmpty(password) || password.Length > AccountRules.MaxPasswordLength)
        {
            return null;
        }

        await using var command = dataSource.CreateCommand($"SELECT {UserAccount.Columns}, password_hash FROM users WHERE lower(email) = lower($1)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = email!.Trim() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            Hasher.VerifyHashedPassword(null!, UnknownAccountHash, password);
            return null;
        }

        var account = UserAccount.Read(reader, admins.CurrentValue);
        return Hasher.VerifyHashedPassword(account, reader.GetString(6), password) == PasswordVerificationResult.Failed ? null : account;
    }

    public async Task<UserAccount?> FindAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"SELECT {UserAccount.Columns} FROM users WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? UserAccount.Read(reader, admins.CurrentValue) : null;
    }

    /// <summary>Display names for a page of user ids (unknown ids are left out).</summary>
    public async Task<IReadOnlyDictionary<Guid, string>> DisplayNamesAsync(IEnumerable<Guid> userIds, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT id, display_name FROM users WHERE id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = userIds.Distinct().ToArray() });
        var names = new Dictionary<Guid, string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            names[reader.GetGuid(0)] = reader.GetString(1);
        }

        return names;
    }

    public async Task<bool> AnyAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM users)");
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The identity a sign-in (cookie or bearer token) carries, with the stamp and time it was issued with.</summary>
    public static ClaimsPrincipal PrincipalFor(UserAccount account, string authenticationType, DateTimeOffset signedInAt)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, account.Id.ToString()),
            new(ClaimTypes.Name, account.DisplayName),
            new(ClaimTypes.Email, account.Email),
            new(StampClaim, account.SecurityStamp.ToString()),
            new(SignedInAtClaim, signedInAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        if (account.IsAdmin)
        {
            claims.Add(new Claim(ClaimTypes.Role, AdminRole));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType));
    }

    private async Task<UserAccount?> FindByEmailAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string email, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {UserAccount.Columns} FROM users WHERE lower(email) = lower($1)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = email.Trim() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? UserAccount.Read(reader, admins.CurrentValue) : null;
    }

    private static async Task<bool> InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, UserAccount account, string hash, bool confirmed, bool demo, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO users (id, email, display_name, password_hash, email_verified_at, is_demo)
            VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END, $6)
            ON CONFLICT ((lower(email))) DO NOTHING
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = account.Id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = account.Email });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = account.DisplayName });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = hash });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = confirmed });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = demo });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static async Task SetPasswordAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid userId, string password, bool confirmEmail, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            UPDATE users
               SET password_hash = $2, security_stamp = gen_random_uuid(),
                   email_verified_at = CASE WHEN $3 THEN coalesce(email_verified_at, now()) ELSE email_verified_at END
             WHERE id = $1
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Hasher.HashPassword(null!, password) });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = confirmEmail });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
