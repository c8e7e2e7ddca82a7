using System.Security.Cryptography;
using Npgsql;

namespace OrleansEnrollment.WebFrontend.Accounts;

/// <summary>What a mailed one-time link is for.</summary>
public enum TokenPurpose
{
    ConfirmEmail,
    ResetPassword,
}

/// <summary>
/// One-time links. The token (256 random bits) goes only into the mail; the database keeps its SHA-256, so reading the
/// table gives no working link. A token is used at most once and only before it expires.
/// </summary>
public static class AccountTokens
{
    /// <returns>The token to put in the link.</returns>
    public static async Task<string> CreateAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid userId, TokenPurpose purpose, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        await using var command = new NpgsqlCommand(
            "INSERT INTO account_tokens (token_hash, user_id, purpose, expires_at) VALUES ($1, $2, $3, now() + $4)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = Hash(token) });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name(purpose) });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = lifetime });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return token;
    }

    /// <summary>Marks the token used and returns its account, or null when it is unknown, used, expired or for something else.</summary>
    public static async Task<Guid?> ConsumeAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string? token, TokenPurpose purpose, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 100)
        {
            return null;
        }

        await using var command = new NpgsqlCommand(
            """
            UPDATE account_tokens SET used_at = now()
             WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
            RETURNING user_id
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = Hash(token.Trim()) });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name(purpose) });
        return await command.ExecuteScalarAsync(cancellationToken) is Guid userId ? userId : null;
    }

    private static string Name(TokenPurpose purpose) => purpose == TokenPurpose.ConfirmEmail ? "confirm_email" : "reset_password";

    private static byte[] Hash(string token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
