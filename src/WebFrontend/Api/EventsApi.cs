using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansEnrollment.Calendar;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Notifications;
using OrleansEnrollment.WebFrontend.Accounts;
using OrleansEnrollment.WebFrontend.Calendar;

namespace OrleansEnrollment.WebFrontend.Api;

/// <summary>What a signed-in user does: browse events, enroll, and see their own enrollments and notifications.</summary>
public static class EventsApi
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder endpoints)
    {
        var events = endpoints.MapGroup("/api/events").WithTags("Events").RequireAuthorization();
        events.MapGet("/", ListEventsAsync);
        events.MapGet("/{eventId}", GetEventAsync);
        events.MapPost("/{eventId}/enrollments", EnrollAsync)
            .WithDescription(
                "Enrolls the caller: 201 confirmed or waitlisted (waitlistPosition is the place in the queue, 1 = next), " +
                "200 with the same body when already enrolled, 422 'Event is full' when there is no seat and no (open) waitlist, " +
                "422 'Enrollment has not opened yet' or 'Enrollment is closed' outside the event's enrollment window. " +
                $"An optional {IdempotencyKeyHeader} header (a GUID) is recorded in the audit trail.");
        events.MapGet("/{eventId}/enrollments/me", GetMyEnrollmentAsync);
        events.MapGet("/{eventId}/calendar.ics", GetCalendarAsync)
            .WithDescription("The event as an iCalendar file (text/calendar), for a caller holding a seat (confirmed, checked in or attended); 404 otherwise.");
        events.MapDelete("/{eventId}/enrollments/me", CancelMyEnrollmentAsync)
            .WithDescription("Cancels the caller's enrollment (confirmed, waitlisted, or offered: declining it): 200 with the enrollment, now cancelled. " +
                             "A freed seat goes to the head of the waitlist at once. Enrolling again afterwards starts as a newcomer.");

        events.MapPost("/{eventId}/enrollments/me/accept", (string eventId, ClaimsPrincipal user, IGrainFactory grains) =>
                OfferAsync(eventId, user, grains, (grain, userId, request) => grain.AcceptOffer(userId, request)))
            .WithDescription("Takes the seat held for the caller: offered → confirmed (200). 409 after the offer's deadline or without an offer.");
        events.MapPost("/{eventId}/enrollments/me/decline", (string eventId, ClaimsPrincipal user, IGrainFactory grains) =>
                OfferAsync(eventId, user, grains, (grain, userId, request) => grain.DeclineOffer(userId, request)))
            .WithDescription("Turns the offer down: offered → cancelled (200); the seat is offered to the next person waiting. 409 without an offer.");

        var me = endpoints.MapGroup("/api/me").WithTags("Me").RequireAuthorization();
        me.MapGet("/enrollments", ListMyEnrollmentsAsync);
        me.MapGet("/notifications", ListMyNotificationsAsync);
        return endpoints;
    }

    public static async Task<Ok<EventResponse[]>> ListEventsAsync(EventCatalog catalog, CancellationToken cancellationToken) =>
        TypedResults.Ok((await catalog.ListAsync(cancellationToken)).Select(EventResponse.From).ToArray());

    public static async Task<Results<Ok<EventResponse>, ValidationProblem, ProblemHttpResult>> GetEventAsync(
        string eventId, EventCatalog catalog, CancellationToken cancellationToken)
    {
        if (!ApiProblems.TryParseId(eventId, out var id))
        {
            return ApiProblems.Invalid("eventId", "An event id is a GUID.");
        }

        return await catalog.FindAsync(id, cancellationToken) is { } info
            ? TypedResults.Ok(EventResponse.From(info))
            : ApiProblems.NotFound($"There is no event {id}.");
    }

    public static async Task<Results<Created<EnrollmentResponse>, Ok<EnrollmentResponse>, ValidationProblem, ProblemHttpResult>> EnrollAsync(
        string eventId, HttpContext context, ClaimsPrincipal user, IGrainFactory grains, EnrollmentGate gate)
    {
        if (!ApiProblems.TryParseId(eventId, out var id))
        {
            return ApiProblems.Invalid("eventId", "An event id is a GUID.");
        }

        if (!await gate.MayEnrollAsync(user, context.RequestAborted))
        {
            return ApiProblems.ConfirmAddressFirst();
        }

        var requestId = Guid.NewGuid();
        if (context.Request.Headers.TryGetValue(IdempotencyKeyHeader, out var key) && !Guid.TryParse(key, out requestId))
        {
            return ApiProblems.Invalid(IdempotencyKeyHeader, "The idempotency key is a GUID.");
        }

        var result = await grains.GetGrain<IEventCapacityGrain>(id).Enroll(user.UserId(), requestId);
        return result.Outcome switch
        {
            EnrollmentOutcome.Enrolled => TypedResults.Created(
                $"/api/events/{id}/enrollments/me", EnrollmentResponse.From(result.Enrollment!)),
            EnrollmentOutcome.AlreadyEnrolled => TypedResults.Ok(EnrollmentResponse.From(result.Enrollment!)),
            EnrollmentOutcome.EventFull => ApiProblems.EventFull(),
            EnrollmentOutcome.NotOpenYet => ApiProblems.NotOpenYet(),
            EnrollmentOutcome.Closed => ApiProblems.Closed(),
            _ => ApiProblems.NotFound($"There is no event {id}."),
        };
    }

    public static async Task<Results<Ok<EnrollmentResponse>, ValidationProblem, ProblemHttpResult>> GetMyEnrollmentAsync(
        string eventId, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (!ApiProblems.TryParseId(eventId, out var id))
        {
            return ApiProblems.Invalid("eventId", "An event id is a GUID.");
        }

        return await grains.GetGrain<IEventCapacityGrain>(id).GetEnrollment(user.UserId()) is { } enrollment
            ? TypedResults.Ok(EnrollmentResponse.From(enrollment))
            : ApiProblems.NotFound("You are not enrolled in this event.");
    }

    public static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> GetCalendarAsync(
        string eventId, ClaimsPrincipal user, CalendarInvitations invitations, CancellationToken cancellationToken)
    {
        if (!ApiProblems.TryParseId(eventId, out var id))
        {
            return ApiProblems.Invalid("eventId", "An event id is a GUID.");
        }

        return await invitations.ForAsync(id, user.UserId(), cancellationToken) switch
        {
            ({ } file, _) => TypedResults.File(file.Content, EventInvitation.ContentType, file.FileName),
            (_, CalendarRefusal.NoSeat) => ApiProblems.NotFound("You hold no seat in this event, so there is no invitation for you."),
            _ => ApiProblems.NotFound($"There is no event {id}."),
        };
    }

    public static async Task<Results<Ok<EnrollmentResponse>, ValidationProblem, ProblemHttpResult>> CancelMyEnrollmentAsync(
        string eventId, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (!ApiProblems.TryParseId(eventId, out var id))
        {
            return ApiProblems.Invalid("eventId", "An event id is a GUID.");
        }

        var result = await grains.GetGrain<IEventCapacityGrain>(id).CancelOwn(user.UserId(), new TransitionRequest(user.UserId(), Guid.NewGuid(), null));
        return ApiProblems.ForTransition(result);
    }

    public static async Task<Results<Ok<EnrollmentResponse>, ValidationProblem, ProblemHttpResult>> OfferAsync(
        string eventId, ClaimsPrincipal user, IGrainFactory grains, Func<IEventCapacityGrain, Guid, TransitionRequest, Task<TransitionResult>> answer)
    {
        if (!ApiProblems.TryParseId(eventId, out var id))
        {
            return ApiProblems.Invalid("eventId", "An event id is a GUID.");
        }

        var result = await answer(grains.GetGrain<IEventCapacityGrain>(id), user.UserId(), new TransitionRequest(user.UserId(), Guid.NewGuid(), null));
        return ApiProblems.ForTransition(result);
    }

    public static async Task<Ok<EnrollmentResponse[]>> ListMyEnrollmentsAsync(
        ClaimsPrincipal user, EnrollmentQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok((await queries.ListForUserAsync(user.UserId(), cancellationToken)).Select(EnrollmentResponse.From).ToArray());

    public static async Task<Ok<NotificationResponse[]>> ListMyNotificationsAsync(
        ClaimsPrincipal user, NotificationQueries notifications, CancellationToken cancellationToken) =>
        TypedResults.Ok((await notifications.ListForUserAsync(user.UserId(), cancellationToken)).Select(NotificationResponse.From).ToArray());
}
