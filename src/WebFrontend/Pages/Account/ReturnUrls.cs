using Microsoft.AspNetCore.Mvc;

namespace OrleansEnrollment.WebFrontend.Pages.Account;

public static class ReturnUrls
{
    public const string Default = "/app/events";

    /// <summary>Only local addresses: a crafted sign-in link must not bounce a fresh session to another site.</summary>
    public static string SafeOrDefault(IUrlHelper url, string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && url.IsLocalUrl(returnUrl) ? returnUrl : Default;
}
