using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.ReadModels;
using OrleansEnrollment.WebFrontend.Accounts;
using OrleansEnrollment.WebFrontend.Hosting;

namespace OrleansEnrollment.WebFrontend.Api;

/// <summary><c>/api/admin</c>: events, policies, rosters and audit trails. Admins only; everyone else gets a 403.</summary>
public static class AdminApi
{
    public const int DefaultPageSize = 25;

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup("/api/admin").WithTags("Admin").RequireAuthorization(WebSecurityExtensions.AdminPolicy);
        admin.MapPost("/events", CreateEventAsync)
            .WithDescription("Creates an event. title, startsAt, capacity and hasWaitlist are required; the policy fields and the details " +
                             "(endsAt after startsAt, description up to 4000 characters, location up to 200, timeZone an IANA name, UTC if left out) are optional.");
        admin.MapAdminEventsApi();
        admin.MapPut("/events/{eventId}/policy", UpdatePolicyAsync);
        admin.MapGet("/events/{eventId}/enrollments", ListEnrollmentsAsync)
            .WithDescription("The event's enrollments from its roster read model; status filters (confirmed, waitlisted, checked_in, " +
                             "attended, cancelled), waitlisted ones come in position order. page is 1-based, pageSize 1 to 100.");
        admin.MapGet("/events/{eventId}/enrollments/{enrollmentId}/transitions", ListTransitionsAsync);
        var enrollment = admin.MapGroup("/events/{eventId}/enrollments/{enrollmentId}");
        enrollment.MapPost("/check-in", (string eventId, string enrollmentId, TransitionBody? body, ClaimsPrincipal user, IGrainFactory grains) =>
            TransitionAsync(eventId, enrollmentId, body, user, grains, (grain, id, request) => grain.CheckIn(id, request)))
            .WithDescription("confirmed → checked_in; 409 if the enrollment is in another status. Optional body {reason}.");
        enrollment.MapPost("/attend", (string eventId, string enrollmentId, TransitionBody? body, ClaimsPrincipal user, IGrainFactory grains) =>
            TransitionAsync(eventId, enrollmentId, body, user, grains, (grain, id, request) => grain.Attend(id, request)))
            .WithDescription("checked_in → attended; 409 if the enrollment is in another status. Optional body {reason}.");
        enrollment.MapPost("/cancel", (string eventId, string enrollmentId, TransitionBody? body, ClaimsPrincipal user, IGrainFactory grains) =>
            TransitionAsync(eventId, enrollmentId, body, user, grains, (grain, id, request) => grain.Cancel(id, request)))
            .WithDescription("Cancels a confirmed, waitlisted or offered enrollment on its user's behalf; a freed seat goes to the head of the waitlist.");
        enrollment.MapPost("/promote", (string eventId, string enrollmentId, TransitionBody? body, ClaimsPrincipal user, IGrainFactory grains) =>
            string.IsNullOrWhiteSpace(body?.Reason)
                ? Task.FromResult<Results<Ok<EnrollmentResponse>, ValidationProblem, ProblemHttpResult>>(
                    ApiProblems.Invalid("reason", "Say why this person gets a seat ahead of the queue: the reason goes into the audit trail."))
                : TransitionAsync(eventId, enrollmentId, body, user, grains, (grain, id, request) => grain.Promote(id, request)))
            .WithDescription("Gives this waiting (or offered) person a seat now, out of arrival order. A full event's capacity is raised by one " +
                             "in the same decision, and the audit row says so. Body {reason} is required. 409 for any other status.");
        admin.MapGet("/admins", ListAdminsAsync);
        admin.MapPost("/admins", GrantAdminAsync)
            .WithDescription("Makes the account with this e-mail address an admin; only an account that confirmed its address can be one (409 otherwise). " +
                             "Its sessions end within 30 s; it signs in again with the role.");
        admin.MapDelete("/admins/{userId}", RevokeAdminAsync)
            .WithDescription("Takes the role away; the account's sessions end within 30 s. 409 for yourself or an address named in the configuration.");
        return endpoints;
    }

    public static async Task<Results<Created<EventResponse>, ValidationProblem>> CreateEventAsync(
        CreateEventRequest request, EventCatalog catalog, CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string[]>();
        var details = EventDetailsInput.Check(request.Details(), problems);
        var policy = request.Apply(new EnrollmentPolicy(null, false), request.Capacity, request.HasWaitlist, problems);
        if (problems.Count > 0)
        {
            return ApiProblems.Invalid(problems);
        }

        var created = await catalog.CreateAsync(details, policy, cancellationToken);
        return TypedResults.Created($"/api/events/{created.Id}", EventResponse.From(created));
    }

    public static async Task<Results<Ok<EnrollmentResponse>, ValidationProblem, ProblemHttpResult>> TransitionAsync(
        string eventId, string enrollmentId, TransitionBody? body, ClaimsPrincipal user, IGrainFactory grains,
        Func<IEventCapacityGrain, Guid, TransitionRequest, Task<TransitionResult>> transition)
    {
        if (!ApiProblems.TryParseId(eventId, out var id))
        {
            return ApiProblems.Invalid("eventId", "An event id is a GUID.");
        }

        if (!ApiProblems.TryParseId(enrollmentId, out var enrollment))
        {
            return ApiProblems.Invalid("enrollmentId", "An enrollment id is a GUID.");
        }

        if (ApiProblems.InvalidReason(body?.Reason) is { } invalid)
        {
            return invalid;
        }

        var result = await transition(grains.GetGrain<IEventCapacityGrain>(id), enrollment, new TransitionRequest(user.UserId(), Guid.NewGuid(), body?.Reason));
        return ApiProblems.ForTransition(result);
    }

    public static async Task<Results<Ok<EventResponse>, ValidationProblem, ProblemHttpResult>> UpdatePolicyAsync(
        string eventId, UpdatePolicyRequest request, ClaimsPrincipal user, IGrainFactory grains, EventCatalog catalog, CancellationToken cancellationToken)
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
        var policy = request.Apply(current.Policy, request.Capacity, request.HasWaitlist, problems);
        if (problems.Count > 0)
        {
            return ApiProblems.Invalid(problems);
        }

        if (await grains.GetGrain<IEventCapacityGrain>(id).ChangePolicy(policy, new TransitionRequest(user.UserId(), Guid.NewGuid(), "policy changed")) is null ||
            await catalog.FindAsync(id, cancellationToken) is not { } info)
        {
            return ApiProblems.NotFound($"There is no event {id}.");
        }

        return TypedResults.Ok(EventResponse.From(info));
    }

    public static async Task<Results<Ok<RosterResponse>, ValidationProblem, ProblemHttpResult>> ListEnrollmentsAsync(
        string eventId, string? status, int? page, int? pageSize, IGrainFactory grains, EventCatalog catalog, UserAccounts accounts,
        CancellationToken cancellationToken)
    {
        if (!ApiProblems.TryParseId(eventId, out var id))
        {
            return ApiProblems.Invalid("eventId", "An event id is a GUID.");
        }

        if (ParseStatusFilter(status, out var only) is { } invalid)
        {
            return invalid;
        }

        if (page is < 1)
        {
            return ApiProblems.Invalid("page", "page starts at 1.");
        }

        if (pageSize is < 1 or > EventRosterGrain.MaxPageSize)
        {
            return ApiProblems.Invalid("pageSize", $"pageSize is 1 to {EventRosterGrain.MaxPageSize}.");
        }

        if (await catalog.FindAsync(id, cancellationToken) is null)
        {
            return ApiProblems.NotFound($"There is no event {id}.");
        }

        var roster = await grains.GetGrain<IEventRosterGrain>(id).GetPage(only, page ?? 1, pageSize ?? DefaultPageSize);
        var names = await accounts.DisplayNamesAsync(roster.Items.Select(item => item.UserId), cancellationToken);
        return TypedResults.Ok(new RosterResponse(roster.Items.Select(item => RosterItemResponse.From(item, names)).ToArray(), roster.Total));
    }

    /// <summary>The <c>status</c> filter of the enrollment listings: empty for everyone, else one status name.</summary>
    public static ValidationProblem? ParseStatusFilter(string? status, out EnrollmentStatus? only)
    {
        only = null;
        if (string.IsNullOrEmpty(status))
        {
            return null;
        }

        if (!EnrollmentStatusNames.TryParse(status, out var parsed))
        {
            return ApiProblems.Invalid("status", "status is one of confirmed, offered, waitlisted, checked_in, attended, cancelled.");
        }

        only = parsed;
        return null;
    }

    public static async Task<Results<Ok<TransitionResponse[]>, ValidationProblem, ProblemHttpResult>> ListTransitionsAsync(
        string eventId, string enrollmentId, EnrollmentQueries queries, CancellationToken cancellationToken)
    {
        if (!ApiProblems.TryParseId(eventId, out var id))
        {
            return ApiProblems.Invalid("eventId", "An event id is a GUID.");
        }

        if (!ApiProblems.TryParseId(enrollmentId, out var enrollment))
        {
            return ApiProblems.Invalid("enrollmentId", "An enrollment id is a GUID.");
        }

        var transitions = await queries.ListTransitionsForEnrollmentAsync(id, enrollment, cancellationToken);
        return transitions.Count == 0
            ? ApiProblems.NotFound($"Event {id} has no enrollment {enrollment}.")
            : TypedResults.Ok(transitions.Select(TransitionResponse.Of).ToArray());
    }

    public static async Task<Ok<AdminResponse[]>> ListAdminsAsync(AdminRoles roles, CancellationToken cancellationToken) =>
        TypedResults.Ok((await roles.ListAsync(cancellationToken))
            .Select(admin => new AdminResponse(admin.UserId, admin.Email, admin.DisplayName, admin.NamedInConfiguration)).ToArray());

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> GrantAdminAsync(
        GrantAdminRequest request, AdminRoles roles, CancellationToken cancellationToken)
    {
        if (!UserAccounts.IsValidEmail(request.Email))
        {
            return ApiProblems.Invalid("email", "Give the e-mail address of an existing account.");
        }

        return await roles.GrantAsync(request.Email!, cancellationToken) == GrantOutcome.Granted
            ? TypedResults.NoContent()
            : ApiProblems.Conflict(
                "No confirmed account", "No account has confirmed this address; the admin role is only given to an account that has proved it owns its address.");
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RevokeAdminAsync(
        string userId, ClaimsPrincipal user, AdminRoles roles, CancellationToken cancellationToken)
    {
        if (!ApiProblems.TryParseId(userId, out var id))
        {
            return ApiProblems.Invalid("userId", "A user id is a GUID.");
        }

        return await roles.RevokeAsync(id, user.UserId(), cancellationToken) switch
        {
            RevokeOutcome.Revoked => TypedResults.NoContent(),
            RevokeOutcome.Self => ApiProblems.Conflict("Not yourself", "An admin cannot take the role from themselves; ask another admin."),
            RevokeOutcome.NamedInConfiguration => ApiProblems.Conflict(
                "Named in the configuration", "This address is listed in Enrollment:Admins; remove it there to take the role away."),
            _ => ApiProblems.NotFound($"User {id} is not an admin."),
        };
    }
}
