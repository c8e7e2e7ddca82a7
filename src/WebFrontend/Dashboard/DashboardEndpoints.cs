using Orleans.Dashboard;
using OrleansEnrollment.WebFrontend.Hosting;

namespace OrleansEnrollment.WebFrontend.Dashboard;

public static class DashboardEndpoints
{
    public const string Path = "/dashboard";

    /// <summary>
    /// The Orleans Dashboard at <c>/dashboard</c>, for admins only: it shows grain ids, silo addresses and live logs.
    /// Anonymous visitors are sent to sign in, signed-in non-admins get 403. Needs <c>AddDashboard()</c> on the silo
    /// (or, for a web frontend that is only a cluster client, on the client and on every silo).
    /// </summary>
    public static IEndpointRouteBuilder MapAdminDashboard(this IEndpointRouteBuilder app)
    {
        app.MapOrleansDashboard(Path).RequireAuthorization(WebSecurityExtensions.AdminPolicy).ExcludeFromDescription();
        return app;
    }
}
