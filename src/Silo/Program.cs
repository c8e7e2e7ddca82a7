using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Dashboard;
using OrleansEnrollment.Hosting;
using OrleansEnrollment.Telemetry;

// A standalone silo. With no configuration (in Development) it starts its own PostgreSQL (see EnrollmentDatabase) and uses localhost
// clustering; set ConnectionStrings__Enrollment to use an existing server, and Orleans__ClusteringProvider=AdoNet (with
// Orleans__ClusterId, __SiloPort, __GatewayPort, __AdvertisedIPAddress) to run several silos as one cluster.
var builder = Host.CreateApplicationBuilder(args);

using var startupLogging = LoggerFactory.Create(logging => logging.AddConsole());
var logger = startupLogging.CreateLogger("OrleansEnrollment.Silo");
await using var database = await EnrollmentDatabase.OpenAsync(builder.Configuration, "silo", logger, allowLocalServer: builder.Environment.IsDevelopment());

var cluster = EnrollmentClusterOptions.From(builder.Configuration);
var tls = ClusterTls.Load(builder.Configuration, required: !builder.Environment.IsDevelopment());
builder.UseOrleans(silo => silo
    .UseEnrollmentCluster(cluster, database.ConnectionString, tls)
    .AddEnrollment(database.ConnectionString, builder.Configuration)
    // the dashboard's silo side: a web frontend (co-hosted or client) serves the pages
    .AddDashboard());
builder.Services.AddEnrollmentOpenTelemetry(builder.Configuration, "enrollment-silo");

using var host = builder.Build();
await host.StartAsync();
// One line that says the silo has joined: scripts and the topology test wait for it.
logger.LogInformation(
    "Silo started: cluster {ClusterId}, {Clustering} clustering, silo port {SiloPort}, gateway port {GatewayPort}",
    cluster.ClusterId, cluster.ClusteringProvider, cluster.SiloPort, cluster.GatewayPort);
await host.WaitForShutdownAsync();
