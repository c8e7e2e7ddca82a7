namespace OrleansEnrollment.Mail;

/// <summary>The site as the outside world sees it (<c>Site</c> settings): silos read it too, for the links in the mails they write.</summary>
public sealed class SiteOptions
{
    public const string Section = "Site";

    /// <summary>
    /// The address people open the site at, e.g. <c>https://enroll.example.com</c>: the base of the links in mails.
    /// Required outside Development.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:5080";
}
