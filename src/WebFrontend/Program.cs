using OrleansEnrollment.Hosting;
using OrleansEnrollment.WebFrontend.Hosting;

// The web frontend co-hosts a silo by default (localhost clustering), so one process is the whole system; with
// Orleans__Mode=Client it is a client of silos run by src/Silo (see EnrollmentClusterOptions). With no configuration
// (in Development) it starts its own PostgreSQL; set ConnectionStrings__Enrollment to use an existing server.
var builder = WebApplication.CreateBuilder(args);

using var startupLogging = LoggerFactory.Create(logging => logging.AddConsole());
var logger = startupLogging.CreateLogger("OrleansEnrollment.WebFrontend");
await using var database = await EnrollmentDatabase.OpenAsync(builder.Configuration, "web", logger, allowLocalServer: builder.Environment.IsDevelopment());

builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 1024 * 1024);
builder.AddEnrollmentOrleans(database.ConnectionString);
builder.Services.AddWebFrontend(builder.Configuration, builder.Environment);

var app = builder.Build();
await StartupSafety.PrepareAsync(app, app.Logger);
app.UseWebFrontend();
await app.RunAsync();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
