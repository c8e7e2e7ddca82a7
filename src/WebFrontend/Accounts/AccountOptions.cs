namespace OrleansEnrollment.WebFrontend.Accounts;

/// <summary>The account settings under <c>Enrollment</c>.</summary>
public sealed class AccountOptions
{
    public const string Section = "Enrollment";

    /// <summary>Enrolling needs a confirmed e-mail address (default). False: any signed-in account may enroll.</summary>
    public bool RequireVerifiedEmail { get; set; } = true;

    /// <summary>The first admin, created (confirmed) at start-up when it does not exist.</summary>
    public BootstrapAdminOptions BootstrapAdmin { get; set; } = new();

    /// <summary>
    /// How long a session's or bearer token's account state (security stamp, role) may be taken from memory before it
    /// is read again: the longest a revocation, a role change or a new password takes to reach a signed-in client.
    /// </summary>
    public TimeSpan SessionRevalidation { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A sign-in cookie is refused this long after the sign-in, however active its user.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How long a cookie lives without use.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromDays(2);

    /// <summary>How long a link to confirm an address stays valid.</summary>
    public TimeSpan ConfirmationLinkLifetime { get; set; } = TimeSpan.FromDays(2);

    /// <summary>How long a link to set a new password stays valid.</summary>
    public TimeSpan ResetLinkLifetime { get; set; } = TimeSpan.FromHours(1);

    public SignInThrottleOptions SignIn { get; set; } = new();
}

public sealed class BootstrapAdminOptions
{
    public string? Email { get; set; }

    public string? Password { get; set; }

    public string DisplayName { get; set; } = "Administrator";
}

/// <summary>
/// How guessing passwords is slowed down. Per client network (an IPv4 address, an IPv6 /64): a number of attempts a
/// minute, then 429. Per account, whoever asks: a number of failed attempts within a window for free, then each
/// attempt on that account waits longer (doubling, capped), right password or wrong: a victim can still sign in,
/// slowly, while a guesser rotating addresses gets a few guesses a minute at best.
/// </summary>
public sealed class SignInThrottleOptions
{
    public int AttemptsPerMinutePerNetwork { get; set; } = 10;

    public int FreeFailuresPerAccount { get; set; } = 5;

    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);
}
