using Orleans.Dashboard;
using OrleansEnrollment.Hosting;

namespace OrleansEnrollment.WebFrontend.Hosting;

public static class OrleansHostingExtensions
{
    /// <summary>
    /// Joins the cluster as <c>Orleans:Mode</c> says: co-hosting a silo (the default: one process is the whole system)
    /// or as a client of silos running elsewhere. Either way the pages and the API get an <c>IGrainFactory</c> and
    /// the database's catalog and queries, and the dashboard
    /// (served at /dashboard for admins; in client mode every silo adds its side, see src/Silo).
    /// </summary>
    public static WebApplicationBuilder AddEnrollmentOrleans(this WebApplicationBuilder builder, string connectionString)
    {
        var cluster = EnrollmentClusterOptions.From(builder.Configuration);
        var tls = ClusterTls.Load(builder.Configuration, required: !builder.Environment.IsDevelopment());
        if (cluster.Mode == OrleansHostingMode.Client)
        {
            // A silo registers these with everything else it runs; a client needs them for its own reads.
            builder.Services.AddEnrollmentStorage(connectionString);
            builder.UseOrleansClient(client => client.UseEnrollmentCluster(cluster, connectionString, tls).AddDashboard());
        }
        else
        {
            builder.UseOrleans(silo => silo
                .UseEnrollmentCluster(cluster, connectionString, tls)
                .AddEnrollment(connectionString, builder.Configuration)
                .AddDashboard());
        }

        return builder;
    }
}
