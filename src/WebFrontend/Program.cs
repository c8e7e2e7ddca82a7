using OrleansEnrollment.Hosting;
using OrleansEnrollment.WebFrontend;

// The web frontend co-hosts a silo (localhost clustering), so one process is the whole system. With no
// configuration it starts its own PostgreSQL; set ConnectionStrings__Enrollment to use an existing server.
var builder = WebApplication.CreateBuilder(args);

using var startupLogging = LoggerFactory.Create(logging => logging.AddConsole());
await using var database = await EnrollmentDatabase.OpenAsync(
    builder.Configuration, "web", startupLogging.CreateLogger("OrleansEnrollment.WebFrontend"));

builder.UseOrleans(silo => silo.UseLocalhostClustering().AddEnrollment(database.ConnectionString, builder.Configuration));

var app = builder.Build();
if (app.Environment.IsDevelopment())
{
    await DemoEvents.SeedAsync(app.Services);
}

app.MapGet("/health", () => Results.Ok(new { status = "healthy" }));
app.MapEventsPage();
await app.RunAsync();
