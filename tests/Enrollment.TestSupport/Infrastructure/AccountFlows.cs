using System.Net;
using System.Net.Http.Json;
using MimeKit;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>What a person does with their mail to get an account: register, then open the link that arrives.</summary>
public static class AccountFlows
{
    /// <summary>
    /// Registers through the API; unless told not to, follows the confirmation link mailed to the address. An address
    /// that has an account already gets a notice instead of a link, and is left as it is.
    /// </summary>
    public static async Task RegisterAsync(HttpClient client, TestMailServer mail, string email, string password, string displayName, bool confirm = true)
    {
        var before = mail.To(email).Count;
        var registered = await client.PostAsJsonAsync("/api/auth/register", new { email, password, displayName });
        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        var arrived = await mail.WaitForMailAsync(email, before + 1);
        if (confirm && arrived.TextBody?.Contains("/account/confirm?token=", StringComparison.Ordinal) == true)
        {
            var confirmed = await client.PostAsJsonAsync("/api/auth/confirm", new { token = TokenIn(arrived) });
            Assert.Equal(HttpStatusCode.NoContent, confirmed.StatusCode);
        }
    }

    /// <summary>The token of the link in a mail.</summary>
    public static string TokenIn(MimeMessage mail) =>
        System.Web.HttpUtility.ParseQueryString(TestMailServer.LinkIn(mail).Query)["token"] ?? throw new InvalidOperationException("No token in the link.");
}
