namespace OrleansEnrollment.Mail;

/// <summary>How mail leaves: <c>Email:From</c> and the SMTP server under <c>Email:Smtp</c>.</summary>
public sealed class MailOptions
{
    public const string Section = "Email";

    /// <summary>The sender, e.g. <c>Orleans Enrollment &lt;no-reply@example.com&gt;</c>.</summary>
    public string From { get; set; } = "Orleans Enrollment <no-reply@enrollment.localhost>";

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>How often the dispatcher looks for mail to send when nobody has woken it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The first retry's wait; each further one doubles it, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(30);
}

public sealed class SmtpOptions
{
    /// <summary>Unset: mail is stored in the outbox but not sent (a host with no mail server configured).</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 25;

    /// <summary><c>None</c>, <c>StartTls</c> (upgrade, required), <c>StartTlsWhenAvailable</c>, <c>SslOnConnect</c> or <c>Auto</c>.</summary>
    public string Security { get; set; } = "StartTlsWhenAvailable";

    public string? Username { get; set; }

    public string? Password { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);
}
