using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Dashboard;
using OrleansEnrollment.Hosting;
using OrleansEnrollment.Telemetry;

// A standalone silo. With no configuration it starts its own PostgreSQL (see EnrollmentDatabase); set
// ConnectionStrings__Enrollment to use an existing server.
var builder = Host.CreateApplicationBuilder(args);

using var startupLogging = LoggerFactory.Create(logging => logging.AddConsole());
await using var database = await EnrollmentDatabase.OpenAsync(
    builder.Configuration, "silo", startupLogging.CreateLogger("OrleansEnrollment.Silo"));

// The dashboard's silo side: a web frontend that is a client of this cluster serves the pages.
builder.UseOrleans(silo => silo.UseLocalhostClustering().AddEnrollment(database.ConnectionString, builder.Configuration).AddDashboard());
builder.Services.AddEnrollmentOpenTelemetry(builder.Configuration, "enrollment-silo");

await builder.Build().RunAsync();
