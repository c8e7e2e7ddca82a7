using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansEnrollment.WebFrontend.Accounts;
using OrleansEnrollment.WebFrontend.Hosting;

namespace OrleansEnrollment.WebFrontend.Api;

/// <summary><c>/api/auth</c>: registering and getting a bearer token.</summary>
public static class AccountsApi
{
    public static RouteGroupBuilder MapAccountsApi(this IEndpointRouteBuilder endpoints)
    {
        var auth = endpoints.MapGroup("/api/auth").WithTags("Accounts").AllowAnonymous();
        auth.MapPost("/register", RegisterAsync).RequireRateLimiting(WebSecurityExtensions.SignInRateLimit);
        auth.MapPost("/token", IssueTokenAsync).RequireRateLimiting(WebSecurityExtensions.SignInRateLimit);
        return auth;
    }

    public static async Task<Results<Created<AccountResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterRequest request, UserAccounts accounts, CancellationToken cancellationToken)
    {
        var problems = UserAccounts.Validate(request.Email, request.Password, request.DisplayName);
        if (problems.Count > 0)
        {
            return ApiProblems.Invalid(problems);
        }

        var (outcome, account) = await accounts.RegisterAsync(request.Email!, request.Password!, request.DisplayName!, cancellationToken);
        if (outcome == RegistrationOutcome.EmailTaken)
        {
            return ApiProblems.Conflict("E-mail already registered", "An account with this e-mail address exists; sign in instead.");
        }

        return TypedResults.Created("/api/me", new AccountResponse(account!.Id, account.Email, account.DisplayName, account.IsAdmin));
    }

    /// <summary>Answers <c>{ tokenType: "Bearer", accessToken, expiresIn, refreshToken }</c>; a wrong e-mail or password is a 401.</summary>
    public static async Task<Results<SignInHttpResult, ProblemHttpResult>> IssueTokenAsync(
        TokenRequest request, UserAccounts accounts, CancellationToken cancellationToken)
    {
        var account = await accounts.VerifyAsync(request.Email, request.Password, cancellationToken);
        if (account is null)
        {
            return TypedResults.Problem(
                title: "Sign-in failed", detail: "The e-mail address or password is not right.", statusCode: StatusCodes.Status401Unauthorized);
        }

        return TypedResults.SignIn(
            UserAccounts.PrincipalFor(account, BearerTokenDefaults.AuthenticationScheme), authenticationScheme: BearerTokenDefaults.AuthenticationScheme);
    }
}
