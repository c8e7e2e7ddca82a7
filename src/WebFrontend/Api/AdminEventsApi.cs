using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.WebFrontend.Accounts;
using OrleansEnrollment.WebFrontend.Hosting;

namespace OrleansEnrollment.WebFrontend.Api;

/// <summary>
/// <c>/api/admin/events/{eventId}</c>: an event's details, opening and closing enrollment, deleting an unused event, and
/// the CSV export of its enrollments. Mapped into the admin group of <see cref="AdminApi"/>, so admins only.
/// </summary>
public static class AdminEventsApi
{
    public const string HasEnrollmentsTitle = "Event has enrollments";

    public static RouteGroupBuilder MapAdminEventsApi(this RouteGroupBuilder admin)
    {
        admin.MapPut("/events/{eventId}", UpdateEventAsync)
            .WithDescription("Edits the event's details. A field left out keeps what the event has (title, startsAt, endsAt, description, " +
                             "location, timeZone); endsAt, description, location and timeZone sent as null go back to no end, empty and UTC. " +
                             "endsAt must be after startsAt; timeZone is an IANA name such as Europe/Paris. 400 names the field; nothing is written then.");
        admin.MapPost("/events/{eventId}/close", (string eventId, ClaimsPrincipal user, IGrainFactory grains, EventCatalog catalog, CancellationToken cancellationToken) =>
                ChangeWindowAsync(eventId, user, grains, catalog, (grain, request) => grain.CloseEnrollment(request), "enrollment closed", cancellationToken))
            .WithDescription("Closes enrollment now (closesAt becomes now; an opensAt still ahead is removed): newcomers get 'Enrollment is closed'. " +
                             "Cancelling stays possible. 200 with the event.");
        admin.MapPost("/events/{eventId}/open", (string eventId, ClaimsPrincipal user, IGrainFactory grains, EventCatalog catalog, CancellationToken cancellationToken) =>
                ChangeWindowAsync(eventId, user, grains, catalog, (grain, request) => grain.OpenEnrollment(request), "enrollment opened", cancellationToken))
            .WithDescription("Opens enrollment now and without an end (clears opensAt and closesAt; waitlistClosesAt stays). 200 with the event.");
        admin.MapDelete("/events/{eventId}", DeleteEventAsync)
            .WithDescription($"Deletes an event nobody ever enrolled in: 204. 409 '{HasEnrollmentsTitle}' if it has any enrollment, of any status.");
        admin.MapGet("/events/{eventId}/enrollments.csv", ExportEnrollmentsAsync)
            .WithDescription("Every enrollment of the event as CSV (columns " + string.Join(", ", EnrollmentCsv.Columns) + "), read from the " +
                             "database and not paged; status filters as for the enrollments listing. Cells that would start a spreadsheet " +
                             "formula get a leading apostrophe.");
        return admin;
    }

    /// <summary>
    /// The export for the admin pages' "Download CSV" link: the API takes bearer tokens only, a browser's link carries
    /// the session cookie, so the same export is also served under <c>/admin</c> (a GET, which changes nothing). Like a
    /// page, it sends a visitor whose session ended to sign in (and back), rather than answering a bare 401.
    /// </summary>
    public static IEndpointRouteBuilder MapAdminDownloads(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/admin/events/{eventId}/enrollments.csv", ExportEnrollmentsAsync)
            .RequireAuthorization(WebSecurityExtensions.AdminPolicy)
            .AllowCookieRedirect()
            .ExcludeFromDescription();
        return endpoints;
    }

    public static async Task<Results<Ok<EventResponse>, ValidationProblem, ProblemHttpResult>> UpdateEventAsync(
        string eventId, UpdateEventRequest request, EventCatalog catalog, CancellationToken cancellationToken)
    {
        if (!ApiProblems.TryParseId(eventId, out var id))
        {
            return ApiProblems.Invalid("eventId", "An event id is a GUID.");
        }

        if (await catalog.FindAsync(id, cancellationToken) is not { } current)
        {
            return ApiProblems.NotFound($"There is no event {id}.");
        }

        var problems = new Dictionary<string, string[]>();
        var details = EventDetailsInput.Check(request.Apply(current.Details, problems), problems);
        if (problems.Count > 0)
        {
            return ApiProblems.Invalid(problems);
        }

        return await catalog.UpdateDetailsAsync(id, details, cancellationToken) is { } updated
            ? TypedResults.Ok(EventResponse.From(updated))
            : ApiProblems.NotFound($"There is no event {id}.");
    }

    public static async Task<Results<Ok<EventResponse>, ValidationProblem, ProblemHttpResult>> ChangeWindowAsync(
        string eventId, ClaimsPrincipal user, IGrainFactory grains, EventCatalog catalog,
        Func<IEventCapacityGrain, TransitionRequest, Task<EventCapacitySummary?>> change, string reason, CancellationToken cancellationToken)
    {
        if (!ApiProblems.TryParseId(eventId, out var id))
        {
            return ApiProblems.Invalid("eventId", "An event id is a GUID.");
        }

        // Through the grain, never the table: it decides every enrollment, so it must hold the policy it decides by.
        if (await change(grains.GetGrain<IEventCapacityGrain>(id), new TransitionRequest(user.UserId(), Guid.NewGuid(), reason)) is null ||
            await catalog.FindAsync(id, cancellationToken) is not { } info)
        {
            return ApiProblems.NotFound($"There is no event {id}.");
        }

        return TypedResults.Ok(EventResponse.From(info));
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteEventAsync(string eventId, IGrainFactory grains)
    {
        if (!ApiProblems.TryParseId(eventId, out var id))
        {
            return ApiProblems.Invalid("eventId", "An event id is a GUID.");
        }

        return await grains.GetGrain<IEventCapacityGrain>(id).DeleteEvent() switch
        {
            EventDeletionOutcome.Deleted => TypedResults.NoContent(),
            EventDeletionOutcome.HasEnrollments => ApiProblems.Conflict(
                HasEnrollmentsTitle, "People have enrolled in this event (some may have cancelled since); its enrollments and their history stay, so the event does too. Close enrollment instead."),
            _ => ApiProblems.NotFound($"There is no event {id}."),
        };
    }

    public static async Task<Results<PushStreamHttpResult, ValidationProblem, ProblemHttpResult>> ExportEnrollmentsAsync(
        string eventId, string? status, EventCatalog catalog, EnrollmentExports exports, CancellationToken cancellationToken)
    {
        if (!ApiProblems.TryParseId(eventId, out var id))
        {
            return ApiProblems.Invalid("eventId", "An event id is a GUID.");
        }

        if (AdminApi.ParseStatusFilter(status, out var only) is { } invalid)
        {
            return invalid;
        }

        if (await catalog.FindAsync(id, cancellationToken) is not { } info)
        {
            return ApiProblems.NotFound($"There is no event {id}.");
        }

        return TypedResults.Stream(
            body => EnrollmentCsv.WriteAsync(body, exports.StreamAsync(id, only, cancellationToken), cancellationToken),
            EnrollmentCsv.ContentType,
            EnrollmentCsv.FileName(info.Title, only));
    }
}
