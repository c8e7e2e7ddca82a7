using Npgsql;

namespace OrleansEnrollment.WebFrontend.Accounts;

/// <summary>
/// A local account. <see cref="IsAdmin"/> is the role as it applies now: only a confirmed account holds it, from its
/// stored flag or from the addresses named in <c>Enrollment:Admins</c>.
/// </summary>
public sealed record UserAccount(Guid Id, string Email, string DisplayName, bool IsAdmin, bool EmailConfirmed, Guid SecurityStamp)
{
    /// <summary>The columns <see cref="Read"/> reads, in order.</summary>
    public const string Columns = "id, email, display_name, is_admin, email_verified_at IS NOT NULL, security_stamp";

    public static UserAccount Read(NpgsqlDataReader reader, AdminOptions admins)
    {
        var email = reader.GetString(1);
        var confirmed = reader.GetBoolean(4);
        return new UserAccount(
            reader.GetGuid(0), email, reader.GetString(2), confirmed && (reader.GetBoolean(3) || admins.Names(email)), confirmed, reader.GetGuid(5));
    }
}

public static class AccountRules
{
    public const int MaxEmailLength = 254;
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 128;
    public const int MaxDisplayNameLength = 100;
}
