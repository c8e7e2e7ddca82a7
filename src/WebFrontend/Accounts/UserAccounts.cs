using OrleansEnrollment.WebFrontend.Api;
using System.Net.Mail;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;

namespace OrleansEnrollment.WebFrontend.Accounts;

public enum RegistrationOutcome
{
    Registered,
    EmailTaken,
}

/// <summary>Local accounts: registration, password checks (ASP.NET Core's password hasher) and the claims a sign-in carries.</summary>
public sealed class UserAccounts(NpgsqlDataSource dataSource, IOptionsMonitor<AdminOptions> admins)
{
    public const string AdminRole = "admin";

    private static readonly PasswordHasher<UserAccount> Hasher = new();

    /// <summary>Checks what a registration form or request carries; returns the problems by field (empty when fine).</summary>
    public static Dictionary<string, string[]> Validate(string? email, string? password, string? displayName)
    {
        var problems = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(email) || email.Length > AccountRules.MaxEmailLength || !StorableText.IsStorable(email) || !IsEmail(email))
        {
            problems["email"] = [$"Enter a valid e-mail address of at most {AccountRules.MaxEmailLength} characters."];
        }

        if (password is null || password.Length is < AccountRules.MinPasswordLength or > AccountRules.MaxPasswordLength)
        {
            problems["password"] = [$"A password has {AccountRules.MinPasswordLength} to {AccountRules.MaxPasswordLength} characters."];
        }

        if (string.IsNullOrWhiteSpace(displayName) || displayName.Trim().Length > AccountRules.MaxDisplayNameLength || !StorableText.IsStorable(displayName))
        {
            problems["displayName"] = [$"A display name has 1 to {AccountRules.MaxDisplayNameLength} characters."];
        }

        return problems;
    }

    public async Task<(RegistrationOutcome Outcome, UserAccount? Account)> RegisterAsync(
        string email, string password, string displayName, CancellationToken cancellationToken = default)
    {
        var account = new UserAccount(Guid.CreateVersion7(), email.Trim(), displayName.Trim(), IsAdmin: false);
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO users (id, email, display_name, password_hash) VALUES ($1, $2, $3, $4)
            ON CONFLICT ((lower(email))) DO NOTHING
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = account.Id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = account.Email });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = account.DisplayName });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Hasher.HashPassword(account, password) });
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            return (RegistrationOutcome.EmailTaken, null);
        }

        return (RegistrationOutcome.Registered, account with { IsAdmin = admins.CurrentValue.Names(account.Email) });
    }

    /// <summary>The account whose password this is, or null (the same for an unknown address and a wrong password).</summary>
    public async Task<UserAccount?> VerifyAsync(string? email, string? password, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password) || email.Length > AccountRules.MaxEmailLength ||
            password.Length > AccountRules.MaxPasswordLength || !StorableText.IsStorable(email))
        {
            return null;
        }

        await using var command = dataSource.CreateCommand(
            "SELECT id, email, display_name, is_admin, password_hash FROM users WHERE lower(email) = lower($1)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = email.Trim() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var account = ReadAccount(reader);
        var verdict = Hasher.VerifyHashedPassword(account, reader.GetString(4), password);
        return verdict == PasswordVerificationResult.Failed ? null : account;
    }

    public async Task<UserAccount?> FindAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT id, email, display_name, is_admin FROM users WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadAccount(reader) : null;
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

    /// <summary>Makes the account with this address an admin; false if there is none.</summary>
    public async Task<bool> GrantAdminAsync(string email, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("UPDATE users SET is_admin = true WHERE lower(email) = lower($1)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = email.Trim() });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> AnyAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM users)");
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The identity a sign-in (cookie or bearer token) carries.</summary>
    public static ClaimsPrincipal PrincipalFor(UserAccount account, string authenticationType)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, account.Id.ToString()),
            new(ClaimTypes.Name, account.DisplayName),
            new(ClaimTypes.Email, account.Email),
        };
        if (account.IsAdmin)
        {
            claims.Add(new Claim(ClaimTypes.Role, AdminRole));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType));
    }

    private UserAccount ReadAccount(NpgsqlDataReader reader)
    {
        var email = reader.GetString(1);
        return new UserAccount(reader.GetGuid(0), email, reader.GetString(2), reader.GetBoolean(3) || admins.CurrentValue.Names(email));
    }

    private static bool IsEmail(string email) =>
        MailAddress.TryCreate(email.Trim(), out var address) && address.Address == email.Trim() && email.Contains('@');
}
