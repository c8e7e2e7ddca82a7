using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.HttpOverrides;
using OrleansEnrollment.Mail;
using OrleansEnrollment.WebFrontend.Accounts;

namespace OrleansEnrollment.WebFrontend.Hosting;

public static class WebSecurityExtensions
{
    public const string AdminPolicy = "admin";
    public const string SignInRateLimit = "sign-in";

    // The API takes bearer tokens only, so a page on another site cannot make a signed-in browser call it with its
    // cookie (no antiforgery token needed there); pages use the cookie, with Razor Pages' antiforgery on every form.
    private const string ByPath = "api-bearer-pages-cookie";

    public static IServiceCollection AddWebSecurity(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.Configure<AdminOptions>(configuration.GetSection(AdminOptions.Section));
        services.Configure<AccountOptions>(configuration.GetSection(AccountOptions.Section));
        services.Configure<SiteOptions>(configuration.GetSection(SiteOptions.Section));
        services.AddEnrollmentMail(configuration);
        services.AddSingleton<UserAccounts>();
        services.AddSingleton<AdminRoles>();
        services.AddSingleton<AccountMails>();
        services.AddSingleton<SessionValidation>();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<EnrollmentGate>();
        services.AddSingleton(TimeProvider.System);

        var requireHttps = RequiresHttps(configuration, environment);
        var accountOptions = configuration.GetSection(AccountOptions.Section).Get<AccountOptions>() ?? new AccountOptions();
        services.AddAuthentication(ByPath)
            .AddPolicyScheme(ByPath, "Bearer token for the API, cookie for pages", options =>
                options.ForwardDefaultSelector = context =>
                    context.Request.Path.StartsWithSegments("/api") ||
                    context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                        ? BearerTokenDefaults.AuthenticationScheme
                        : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.LoginPath = "/account/signin";
                options.LogoutPath = "/account/signout";
                options.AccessDeniedPath = "/account/denied";
                options.Cookie.Name = "enrollment.session";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = requireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = accountOptions.SessionIdleTimeout;
                options.SlidingExpiration = true;
            })
            .AddBearerToken(options => options.BearerTokenExpiration = TimeSpan.FromHours(1));

        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(UserAccounts.AdminRole));

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Per client network: one network's guessing gets slow while everyone else can still sign in. Only
            // attempts count (POSTs): opening a form, or reloading it, guesses nothing.
            options.AddPolicy(SignInRateLimit, context => HttpMethods.IsPost(context.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(
                    SignInThrottle.NetworkOf(context.Connection.RemoteIpAddress),
                    _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = accountOptions.SignIn.AttemptsPerMinutePerNetwork,
                        Window = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                    })
                : RateLimitPartition.GetNoLimiter("forms"));
        });

        services.Configure<ForwardedHeadersOptions>(options => ConfigureForwardedHeaders(options, configuration));
        if (requireHttps)
        {
            services.AddHsts(options =>
            {
                options.MaxAge = TimeSpan.FromDays(365);
                options.IncludeSubDomains = true;
            });
        }

        return services;
    }

    /// <summary>
    /// HTTPS redirection, HSTS and Secure-only cookies: on outside Development unless <c>Site:RequireHttps</c> says
    /// otherwise (a deployment that terminates TLS in front of a plain-HTTP network still keeps them on, since the
    /// proxy's X-Forwarded-Proto makes the request HTTPS here).
    /// </summary>
    public static bool RequiresHttps(IConfiguration configuration, IHostEnvironment environment) =>
        configuration.GetValue<bool?>("Site:RequireHttps") ?? !environment.IsDevelopment();

    /// <summary>
    /// Whether any proxy is named under <c>Network</c>. Without one the forwarded-headers middleware must not run at all:
    /// with both of its lists empty it trusts every sender.
    /// </summary>
    public static bool TrustsAProxy(IConfiguration configuration) =>
        configuration.GetSection("Network:KnownProxies").Get<string[]>() is { Length: > 0 } ||
        configuration.GetSection("Network:KnownNetworks").Get<string[]>() is { Length: > 0 };

    /// <summary>Trusts X-Forwarded-For and -Proto only from the proxies and networks named under <c>Network</c>.</summary>
    private static void ConfigureForwardedHeaders(ForwardedHeadersOptions options, IConfiguration configuration)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        // The obsolete list still holds the loopback network by default, and is still honoured: empty it too.
#pragma warning disable CS0618, ASPDEPR005
        options.KnownNetworks.Clear();
#pragma warning restore CS0618, ASPDEPR005
        foreach (var proxy in configuration.GetSection("Network:KnownProxies").Get<string[]>() ?? [])
        {
            options.KnownProxies.Add(IPAddress.Parse(proxy));
        }

        foreach (var network in configuration.GetSection("Network:KnownNetworks").Get<string[]>() ?? [])
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        }
    }
}
