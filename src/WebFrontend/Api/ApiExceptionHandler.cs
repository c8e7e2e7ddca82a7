using Microsoft.AspNetCore.Diagnostics;
using Npgsql;
using Orleans.Serialization;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.WebFrontend.Api;

/// <summary>
/// Turns the exceptions a request can meet into problem details: malformed input is the caller's 400 (or 413), an
/// unreachable database or silo a 503 with Retry-After; anything else is a 500 that says nothing of our internals.
/// </summary>
public sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>What a 503 asks callers to wait: about as long as a PostgreSQL restart or a silo's death takes to notice.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, "Bad request", ReadableDetail(bad)),
            _ when Unavailable(exception) is { } cause => (StatusCodes.Status503ServiceUnavailable, "Try again shortly", UnavailableDetail(cause)),
            _ => (StatusCodes.Status500InternalServerError, "Something went wrong", "The request failed; it has been logged."),
        };

        if (status >= 500)
        {
            LogFailure(exception, context.Request.Method, context.Request.Path);
        }

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>
    /// The exception (itself or one it wraps) that says a dependency is down rather than that the request is wrong. A
    /// grain's exception crosses Orleans' serializer, which may turn a type it does not know (Npgsql's) into a
    /// fallback that keeps only the type's name.
    /// </summary>
    private static Exception? Unavailable(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                // Only transient database errors: a refused statement (bad data, a constraint) is our bug, a 500.
                case EnrollmentUnavailableException or NpgsqlException { IsTransient: true } or TimeoutException or System.Net.Sockets.SocketException:
                // connection lost, out of resources, shut down or restarting (pg_terminate_backend is 57P01), system error
                case PostgresException { SqlState: ['0', '8', ..] or ['5', '3' or '7' or '8', ..] }:
                case SiloUnavailableException or OrleansMessageRejectionException:
                case UnavailableExceptionFallbackException { ExceptionType: { } type } when type.Contains("Npgsql", StringComparison.Ordinal)
                                                                                         || type.Contains("Timeout", StringComparison.Ordinal):
                    return current;
            }
        }

        return null;
    }

    private static string UnavailableDetail(Exception cause) => cause switch
    {
        EnrollmentUnavailableException { NothingWritten: true } => "The enrollment could not be saved right now; nothing was written.",
        EnrollmentUnavailableException => "The enrollment service is unavailable; enrolling again is safe and returns your enrollment if it was saved.",
        TimeoutException => "The service did not answer in time.",
        // the cluster moves the grain to a live silo within seconds
        SiloUnavailableException or OrleansMessageRejectionException =>
            "Part of the service is restarting; enrolling again is safe and returns your enrollment if it was saved.",
        _ => "The service cannot reach its database right now.",
    };

    // The framework's message names our parameter types; the caller needs to know what was wrong with the body.
    private static string ReadableDetail(BadHttpRequestException exception) =>
        exception.InnerException is System.Text.Json.JsonException json
            ? $"The request body is not valid JSON for this endpoint: {json.Message}"
            : exception.Message;

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private partial void LogFailure(Exception exception, string method, PathString path);
}
