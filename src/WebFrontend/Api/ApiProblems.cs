using Microsoft.AspNetCore.Http.HttpResults;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.WebFrontend.Api;

/// <summary>The API's RFC 9457 problem details, so every error reads the same way.</summary>
public static class ApiProblems
{
    public static ProblemHttpResult EventFull() => TypedResults.Problem(
        title: EnrollmentResult.EventFullTitle,
        detail: "Every seat is taken and this event keeps no waitlist.",
        statusCode: StatusCodes.Status422UnprocessableEntity);

    public static ProblemHttpResult NotOpenYet() => TypedResults.Problem(
        title: EnrollmentResult.NotOpenYetTitle,
        detail: "Enrollment for this event opens later; try again then.",
        statusCode: StatusCodes.Status422UnprocessableEntity);

    public static ProblemHttpResult Closed() => TypedResults.Problem(
        title: EnrollmentResult.ClosedTitle,
        detail: "Enrollment for this event has closed. If you are enrolled, you can still cancel.",
        statusCode: StatusCodes.Status422UnprocessableEntity);

    public static ProblemHttpResult InvalidLink() => TypedResults.Problem(
        title: "The link is not valid",
        detail: "The link is unknown, was used already, or has expired: ask for a new one.",
        statusCode: StatusCodes.Status400BadRequest);

    public static ProblemHttpResult ConfirmAddressFirst() => TypedResults.Problem(
        title: "Confirm your e-mail address first",
        detail: "Open the link mailed to you when you registered (POST /api/auth/confirm/resend sends a new one); then you can enroll.",
        statusCode: StatusCodes.Status403Forbidden);

    public static ProblemHttpResult NotFound(string what) => TypedResults.Problem(
        title: "Not found", detail: what, statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult Conflict(string title, string detail) => TypedResults.Problem(
        title: title, detail: detail, statusCode: StatusCodes.Status409Conflict);

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    public static ValidationProblem Invalid(IDictionary<string, string[]> problems) => TypedResults.ValidationProblem(problems);

    /// <summary>The answer to a transition: the enrollment after it, or why it did not apply.</summary>
    public static Results<Ok<EnrollmentResponse>, ValidationProblem, ProblemHttpResult> ForTransition(TransitionResult result) => result.Outcome switch
    {
        TransitionOutcome.Done => TypedResults.Ok(EnrollmentResponse.From(result.Enrollment!)),
        TransitionOutcome.NotAllowed => Conflict("Transition not allowed", result.Message ?? "The enrollment cannot make this transition."),
        _ => NotFound(result.Message ?? "No such enrollment."),
    };

    /// <summary>A reason is optional, but bounded.</summary>
    public static ValidationProblem? InvalidReason(string? reason) =>
        reason is { Length: > TransitionRequest.MaxReasonLength } || !StorableText.IsStorable(reason)
            ? Invalid("reason", $"A reason has at most {TransitionRequest.MaxReasonLength} characters, and no NUL or broken characters.")
            : null;

    /// <summary>Route ids are parsed here rather than by a route constraint, so a malformed id is a 400, not a 404.</summary>
    public static bool TryParseId(string raw, out Guid id) => Guid.TryParse(raw, out id);
}
