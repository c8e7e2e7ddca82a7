using System.Net;
using System.Text.RegularExpressions;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>A browser-like session on the pages: cookies kept, forms posted with the antiforgery token they carry.</summary>
public static partial class PageSession
{
    /// <summary>Signs in through the sign-in form; the client then holds the session cookie.</summary>
    public static async Task SignInAsync(HttpClient client, string email, string password = WebAppFactory.Password)
    {
        var response = await PostFormAsync(client, "/account/signin", new Dictionary<string, string> { ["Email"] = email, ["Password"] = password });
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found, $"signing in answered {response.StatusCode}");
    }

    /// <summary>Opens the page, then posts its form with the antiforgery token it holds.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, IDictionary<string, string> fields, string? handler = null)
    {
        var page = await client.GetStringAsync(path);
        var token = AntiforgeryField().Match(page) is { Success: true } match
            ? match.Groups["token"].Value
            : throw new InvalidOperationException($"No antiforgery token on {path}.");
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token) };
        return await client.PostAsync(handler is null ? path : $"{path}?handler={handler}", new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*?value=\"(?<token>[^\"]+)\"|value=\"(?<token>[^\"]+)\"[^>]*?name=\"__RequestVerificationToken\"")]
    private static partial Regex AntiforgeryField();
}
