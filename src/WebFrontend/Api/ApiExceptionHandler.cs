using Microsoft.AspNetCore.Diagnostics;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.WebFrontend.Api;

/// <summary>
/// Turns the exceptions a request can meet into problem details: malformed input is the caller's 400 (or 413), an
/// unreachable database or silo a 503 to retry; anything else is a 500 that says nothing of our internals.
/// </summary>
public sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, "Bad request", ReadableDetail(bad)),
            EnrollmentUnavailableException unavailable => (StatusCodes.Status503ServiceUnavailable, "Try again shortly", unavailable.NothingWritten
                ? "The enrollment could not be saved right now; nothing was written."
                : "The enrollment service is unavailable; enrolling again is safe and returns your enrollment if it was saved."),
            TimeoutException => (StatusCodes.Status503ServiceUnavailable, "Try again shortly", "The service did not answer in time."),
            // A silo went away (the call could not reach the grain's silo, or its gateway): the cluster moves the grain
            // to a live silo within seconds, so this is a retry, not a failure of ours.
            OrleansMessageRejectionException => (StatusCodes.Status503ServiceUnavailable, "Try again shortly",
                "Part of the service is restarting; enrolling again is safe and returns your enrollment if it was saved."),
            _ => (StatusCodes.Status500InternalServerError, "Something went wrong", "The request failed; it has been logged."),
        };

        if (status >= 500)
        {
            LogFailure(exception, context.Request.Method, context.Request.Path);
        }

        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    // The framework's message names our parameter types; the caller needs to know what was wrong with the body.
    private static string ReadableDetail(BadHttpRequestException exception) =>
        exception.InnerException is System.Text.Json.JsonException json
            ? $"The request body is not valid JSON for this endpoint: {json.Message}"
            : exception.Message;

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private partial void LogFailure(Exception exception, string method, PathString path);
}
