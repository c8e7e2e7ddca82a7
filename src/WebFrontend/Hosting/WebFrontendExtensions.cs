using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Orleans.Configuration;
using OrleansEnrollment.WebFrontend.Accounts;
using OrleansEnrollment.WebFrontend.Api;
using OrleansEnrollment.WebFrontend.Calendar;
using OrleansEnrollment.WebFrontend.Dashboard;
using OrleansEnrollment.WebFrontend.Health;
using OrleansEnrollment.WebFrontend.LiveUpdates;
using OrleansEnrollment.WebFrontend.Telemetry;

namespace OrleansEnrollment.WebFrontend.Hosting;

public static class WebFrontendExtensions
{
    /// <summary>How long a request waits for a grain's answer; the database's own timeouts (5 s connect, 10 s command) fit in it.</summary>
    public static readonly TimeSpan GrainCallTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The web frontend's services: security, JSON and problem details, OpenAPI, pages and their live updates, health checks, telemetry, the shared key ring.</summary>
    public static IServiceCollection AddWebFrontend(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddWebSecurity(configuration, environment);
        services.AddEnrollmentHealthChecks();
        services.AddWebTelemetry(configuration);
        services.AddSharedKeyRing(configuration, environment);
        services.Configure<JsonOptions>(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower)));
        // Malformed input reaches ApiExceptionHandler as an exception, so it is answered like every other problem.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        // A grain call that cannot be answered (a silo or the database gone) becomes a 503 within this, never a hang.
        services.Configure<SiloMessagingOptions>(options => options.ResponseTimeout = GrainCallTimeout);
        services.AddOpenApi();
        services.AddLiveUpdates();
        services.AddSingleton<CalendarInvitations>();
        services.AddRazorPages(options =>
        {
            options.Conventions.AuthorizeFolder("/App");
            options.Conventions.AuthorizeFolder("/Admin", WebSecurityExtensions.AdminPolicy);
        });
        return services;
    }

    public static WebApplication UseWebFrontend(this WebApplication app)
    {
        // First: the client's address and scheme as the configured proxies saw them, for everything below; with no proxy
        // configured, forwarded headers are ignored (the middleware would trust anyone with its lists empty).
        if (WebSecurityExtensions.TrustsAProxy(app.Configuration))
        {
            app.UseForwardedHeaders();
        }
        if (WebSecurityExtensions.RequiresHttps(app.Configuration, app.Environment))
        {
            app.UseHsts();
            // Health probes (a load balancer, a container's health check) often have no TLS client; /health reveals
            // nothing but a status, so it is served on plain HTTP too.
            app.UseWhen(context => !context.Request.Path.StartsWithSegments("/health"), https => https.UseHttpsRedirection());
        }

        app.UseExceptionHandler();
        // An error status with no body: the API answers problem details, pages a readable page in the site layout
        // (re-executed in place, so the address and the status code stay those of the failed request).
        app.UseWhen(IsApi, api => api.UseStatusCodePages());
        app.UseWhen(context => !IsApi(context), pages => pages.UseStatusCodePagesWithReExecute("/status/{0}"));
        app.UseRequestBodyLimit();
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAuthentication();
        var sessions = app.Services.GetRequiredService<SessionValidation>();
        app.Use((context, next) => sessions.InvokeAsync(context, () => next(context)));
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapEnrollmentHealth();
        app.MapAdminDashboard();
        // The API's description lists every admin route: outside Development only admins may read it.
        var openApi = app.MapOpenApi();
        if (!app.Environment.IsDevelopment())
        {
            openApi.RequireAuthorization(WebSecurityExtensions.AdminPolicy);
        }

        app.MapAccountsApi();
        app.MapMeApi();
        app.MapEventsApi();
        app.MapAdminApi();
        app.MapAdminDownloads();
        app.MapLiveUpdates();
        app.MapRazorPages();
        return app;
    }

    private static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/api");
}
