namespace OrleansEnrollment.WebFrontend.Accounts;

/// <summary>
/// Who is an admin: the e-mail addresses in <c>Enrollment:Admins</c> (a list in configuration, e.g.
/// <c>Enrollment__Admins__0=ops@example.com</c>), plus every account an admin granted the role to.
/// </summary>
public sealed class AdminOptions
{
    public const string Section = "Enrollment";

    public List<string> Admins { get; set; } = [];

    public bool Names(string email) => Admins.Any(admin => string.Equals(admin.Trim(), email.Trim(), StringComparison.OrdinalIgnoreCase));
}
