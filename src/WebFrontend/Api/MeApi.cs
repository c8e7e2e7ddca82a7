using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansEnrollment.WebFrontend.Accounts;

namespace OrleansEnrollment.WebFrontend.Api;

/// <summary><c>/api/me</c>: the signed-in account, its password and preferences, and ending its sessions.</summary>
public static class MeApi
{
    public static IEndpointRouteBuilder MapMeApi(this IEndpointRouteBuilder endpoints)
    {
        var me = endpoints.MapGroup("/api/me").WithTags("Me").RequireAuthorization();
        me.MapGet("/", GetMeAsync);
        me.MapPost("/password", ChangePasswordAsync).WithDescription("Changes the password; every session and token of the account ends (this one too).");
        me.MapGet("/preferences", GetPreferencesAsync);
        me.MapPut("/preferences", SetPreferencesAsync).WithDescription("Turns e-mail notifications on or off; mails already queued are still sent.");
        me.MapPost("/sign-out-everywhere", SignOutEverywhereAsync)
            .WithDescription("Ends every session and bearer token of the account, on every device, within 30 s.");
        return endpoints;
    }

    public static async Task<Results<Ok<AccountResponse>, ProblemHttpResult>> GetMeAsync(
        ClaimsPrincipal user, UserAccounts accounts, CancellationToken cancellationToken) =>
        await accounts.FindAsync(user.UserId(), cancellationToken) is { } account
            ? TypedResults.Ok(new AccountResponse(account.Id, account.Email, account.DisplayName, account.IsAdmin, account.EmailConfirmed))
            : ApiProblems.NotFound("The account no longer exists.");

    public static async Task<Results<NoContent, ValidationProblem>> ChangePasswordAsync(
        ChangePasswordRequest request, ClaimsPrincipal user, UserAccounts accounts, CancellationToken cancellationToken)
    {
        if (UserAccounts.ValidatePassword(request.NewPassword) is { } problem)
        {
            return ApiProblems.Invalid("newPassword", problem);
        }

        return await accounts.ChangePasswordAsync(user.UserId(), request.CurrentPassword, request.NewPassword!, cancellationToken)
            ? TypedResults.NoContent()
            : ApiProblems.Invalid("currentPassword", "The current password is not right.");
    }

    public static async Task<Results<Ok<PreferencesBody>, ProblemHttpResult>> GetPreferencesAsync(
        ClaimsPrincipal user, UserAccounts accounts, CancellationToken cancellationToken) =>
        await accounts.EmailNotificationsAsync(user.UserId(), cancellationToken) is { } on
            ? TypedResults.Ok(new PreferencesBody(on))
            : ApiProblems.NotFound("The account no longer exists.");

    public static async Task<Results<Ok<PreferencesBody>, ValidationProblem, ProblemHttpResult>> SetPreferencesAsync(
        PreferencesBody? request, ClaimsPrincipal user, UserAccounts accounts, CancellationToken cancellationToken)
    {
        if (request?.EmailNotifications is not { } on)
        {
            return ApiProblems.Invalid("emailNotifications", "Say whether to send e-mail notifications: true or false.");
        }

        return await accounts.SetEmailNotificationsAsync(user.UserId(), on, cancellationToken)
            ? TypedResults.Ok(new PreferencesBody(on))
            : ApiProblems.NotFound("The account no longer exists.");
    }

    public static async Task<NoContent> SignOutEverywhereAsync(ClaimsPrincipal user, UserAccounts accounts, CancellationToken cancellationToken)
    {
        await accounts.EndAllSessionsAsync(user.UserId(), cancellationToken);
        return TypedResults.NoContent();
    }
}
