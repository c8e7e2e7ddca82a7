using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansEnrollment.Hosting;

// A standalone silo. With no configuration it starts its own PostgreSQL (see EnrollmentDatabase); set
// ConnectionStrings__Enrollment to use an existing server.
var builder = Host.CreateApplicationBuilder(args);

using var startupLogging = LoggerFactory.Create(logging => logging.AddConsole());
await using var database = await EnrollmentDatabase.OpenAsync(
    builder.Configuration, "silo", startupLogging.CreateLogger("OrleansEnrollment.Silo"));

builder.UseOrleans(silo => silo.UseLocalhostClustering().AddEnrollment(database.ConnectionString, builder.Configuration));

await builder.Build().RunAsync();
