using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansEnrollment.WebFrontend.Accounts;

namespace OrleansEnrollment.WebFrontend.Health;

/// <summary>
/// The JSON body of the health endpoints: the overall status for anyone (a load balancer needs no more), and each
/// check's status, time and error for a signed-in admin, so an operator sees what is down without the world seeing
/// the errors' messages (host names, database names).
/// </summary>
public static class HealthResponse
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        if (!context.User.IsAdmin())
        {
            return context.Response.WriteAsync(JsonSerializer.Serialize(new { status = Name(report.Status) }, Json));
        }

        var body = new
        {
            status = Name(report.Status),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.Select(entry => new
            {
                name = entry.Key,
                status = Name(entry.Value.Status),
                description = entry.Value.Description,
                durationMs = Math.Round(entry.Value.Duration.TotalMilliseconds, 1),
                // The exception's message only: a stack trace does not belong in a response.
                error = entry.Value.Exception?.Message,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }

    private static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
