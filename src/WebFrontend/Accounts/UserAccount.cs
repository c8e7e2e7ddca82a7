namespace OrleansEnrollment.WebFrontend.Accounts;

/// <summary>A local account. <see cref="IsAdmin"/> already folds in the addresses named in <c>Enrollment:Admins</c>.</summary>
public sealed record UserAccount(Guid Id, string Email, string DisplayName, bool IsAdmin);

public static class AccountRules
{
    public const int MaxEmailLength = 254;
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 128;
    public const int MaxDisplayNameLength = 100;
}
