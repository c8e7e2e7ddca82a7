using Microsoft.Extensions.Options;
using OrleansEnrollment.Mail;

namespace OrleansEnrollment.WebFrontend.Accounts;

/// <summary>
/// The mails about an account. Links point at <c>Site:PublicBaseUrl</c>, never at the address a request came in on:
/// a link built from a request's Host header would let anyone who asks for a reset send the victim a link to their
/// own site.
/// </summary>
public sealed class AccountMails(IOptions<SiteOptions> site)
{
    public OutgoingMail ConfirmAddress(string recipient, string displayName, string token) => OutgoingMail.To(
        recipient,
        "Confirm your e-mail address",
        $"""
        Hello {displayName},

        Confirm your address for Orleans Enrollment by opening this link:

        {Link("/account/confirm", token)}

        If you did not register, ignore this mail: nothing happens without the link.
        """);

    public OutgoingMail AlreadyRegistered(string recipient) => OutgoingMail.To(
        recipient,
        "Someone tried to register with your address",
        $"""
        Someone (perhaps you) tried to create an Orleans Enrollment account with this address, which already has one.

        To sign in: {site.Value.PublicBaseUrl.TrimEnd('/')}/account/signin
        Forgot your password? Set a new one here: {site.Value.PublicBaseUrl.TrimEnd('/')}/account/forgot

        If it was not you, you need not do anything.
        """);

    public OutgoingMail ResetPassword(string recipient, string token) => OutgoingMail.To(
        recipient,
        "Set a new password",
        $"""
        Someone (perhaps you) asked to set a new password for your Orleans Enrollment account. Open this link to do so:

        {Link("/account/reset", token)}

        The link works once, for the next hour. If you did not ask, ignore this mail: your password stays as it is.
        """);

    private string Link(string path, string token) => $"{site.Value.PublicBaseUrl.TrimEnd('/')}{path}?token={Uri.EscapeDataString(token)}";
}
