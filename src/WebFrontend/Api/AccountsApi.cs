using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansEnrollment.WebFrontend.Accounts;
using OrleansEnrollment.WebFrontend.Hosting;

namespace OrleansEnrollment.WebFrontend.Api;

/// <summary>
/// <c>/api/auth</c>: registering, confirming an address, resetting a password and getting a bearer token. Every answer
/// here is the same whether or not an address has an account; all of it is rate limited per client network.
/// </summary>
public static class AccountsApi
{
    public const string CheckYourInbox = "If this address can be used, a mail with a link is on its way to it: open the link to go on.";

    public static RouteGroupBuilder MapAccountsApi(this IEndpointRouteBuilder endpoints)
    {
        var auth = endpoints.MapGroup("/api/auth").WithTags("Accounts").AllowAnonymous().RequireRateLimiting(WebSecurityExtensions.SignInRateLimit);
        auth.MapPost("/register", RegisterAsync)
            .WithDescription("202 in every case (a taken address gets its owner a mail instead): confirm the address with the link mailed to it.");
        auth.MapPost("/confirm", ConfirmAsync).WithDescription("Confirms an address with the token of the mailed link; 400 for an unknown, used or expired link.");
        auth.MapPost("/confirm/resend", ResendConfirmationAsync).WithDescription("Mails a new link to an unconfirmed address; 202 in every case.");
        auth.MapPost("/password-reset", RequestPasswordResetAsync).WithDescription("Mails a link to set a new password; 202 in every case.");
        auth.MapPost("/password-reset/confirm", ResetPasswordAsync)
            .WithDescription("Sets a new password with the token of the mailed link; ends every session of the account.");
        auth.MapPost("/token", IssueTokenAsync);
        return auth;
    }

    public static async Task<Results<Accepted<MessageResponse>, ValidationProblem>> RegisterAsync(
        RegisterRequest request, UserAccounts accounts, CancellationToken cancellationToken)
    {
        var problems = UserAccounts.Validate(request.Email, request.Password, request.DisplayName);
        if (problems.Count > 0)
        {
            return ApiProblems.Invalid(problems);
        }

        await accounts.RegisterAsync(request.Email!, request.Password!, request.DisplayName!, cancellationToken);
        return TypedResults.Accepted((string?)null, new MessageResponse(CheckYourInbox));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> ConfirmAsync(
        TokenBody request, UserAccounts accounts, CancellationToken cancellationToken) =>
        await accounts.ConfirmEmailAsync(request.Token, cancellationToken)
            ? TypedResults.NoContent()
            : ApiProblems.InvalidLink();

    public static async Task<Accepted<MessageResponse>> ResendConfirmationAsync(
        EmailBody request, UserAccounts accounts, CancellationToken cancellationToken)
    {
        await accounts.ResendConfirmationAsync(request.Email, cancellationToken);
        return TypedResults.Accepted((string?)null, new MessageResponse(CheckYourInbox));
    }

    public static async Task<Accepted<MessageResponse>> RequestPasswordResetAsync(
        EmailBody request, UserAccounts accounts, CancellationToken cancellationToken)
    {
        await accounts.RequestPasswordResetAsync(request.Email, cancellationToken);
        return TypedResults.Accepted((string?)null, new MessageResponse(CheckYourInbox));
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ResetPasswordAsync(
        ResetPasswordRequest request, UserAccounts accounts, CancellationToken cancellationToken)
    {
        if (UserAccounts.ValidatePassword(request.Password) is { } problem)
        {
            return ApiProblems.Invalid("password", problem);
        }

        return await accounts.ResetPasswordAsync(request.Token, request.Password!, cancellationToken)
            ? TypedResults.NoContent()
            : ApiProblems.InvalidLink();
    }

    /// <summary>Answers <c>{ tokenType: "Bearer", accessToken, expiresIn, refreshToken }</c>; a wrong e-mail or password is a 401.</summary>
    public static async Task<Results<SignInHttpResult, ProblemHttpResult>> IssueTokenAsync(
        TokenRequest request, UserAccounts accounts, SignInThrottle throttle, TimeProvider clock, CancellationToken cancellationToken)
    {
        await Task.Delay(throttle.DelayFor(request.Email), cancellationToken);
        var account = await accounts.VerifyAsync(request.Email, request.Password, cancellationToken);
        if (account is null)
        {
            throttle.Failed(request.Email);
            return TypedResults.Problem(
                title: "Sign-in failed", detail: "The e-mail address or password is not right.", statusCode: StatusCodes.Status401Unauthorized);
        }

        throttle.Succeeded(request.Email);
        return TypedResults.SignIn(
            UserAccounts.PrincipalFor(account, BearerTokenDefaults.AuthenticationScheme, clock.GetUtcNow()),
            authenticationScheme: BearerTokenDefaults.AuthenticationScheme);
    }
}
