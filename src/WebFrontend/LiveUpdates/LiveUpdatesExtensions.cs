namespace OrleansEnrollment.WebFrontend.LiveUpdates;

public static class LiveUpdatesExtensions
{
    /// <summary>SignalR and this frontend's watch on the cluster (<see cref="EventWatchFeed"/>).</summary>
    public static IServiceCollection AddLiveUpdates(this IServiceCollection services)
    {
        services.AddSignalR();
        services.AddSingleton<EventWatchFeed>();
        services.AddHostedService(provider => provider.GetRequiredService<EventWatchFeed>());
        return services;
    }

    /// <summary>
    /// The hub, for pages on this site only: a WebSocket is not bound by the same-origin policy, so a page elsewhere
    /// could otherwise open one with the visitor's cookie (browsers withhold Lax cookies there, but that is theirs to
    /// keep). A request with no Origin (not a browser) passes, as it could not carry a visitor's cookie unasked.
    /// </summary>
    public static WebApplication MapLiveUpdates(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments(EnrollmentHub.Path), hub => hub.Use((context, next) =>
        {
            var origin = context.Request.Headers.Origin.ToString();
            if (origin.Length > 0 && !SameSite(origin, context.Request))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            }

            return next(context);
        }));
        app.MapHub<EnrollmentHub>(EnrollmentHub.Path);
        return app;
    }

    private static bool SameSite(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) &&
        string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
}
