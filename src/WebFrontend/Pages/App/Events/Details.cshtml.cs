using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansEnrollment.Calendar;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.WebFrontend.Accounts;
using OrleansEnrollment.WebFrontend.Calendar;
using OrleansEnrollment.WebFrontend.Pages.Shared;

namespace OrleansEnrollment.WebFrontend.Pages.App.Events;

public sealed class DetailsModel(EventCatalog catalog, IGrainFactory grains, EnrollmentGate gate, CalendarInvitations invitations) : PageModel
{
    public const string Unavailable = "Your enrollment could not be saved right now. Please try again in a moment.";

    public const string ConfirmFirst = "Confirm your e-mail address first: open the link we mailed you when you registered.";

    public const string CancelUnavailable = "Your cancellation could not be saved right now. Please try again in a moment.";

    public const string AnswerUnavailable = "Your answer could not be saved right now. Please try again in a moment.";

    public EventInfo Event { get; private set; } = null!;

    /// <summary>The user's live enrollment; a cancelled one does not hold them a place.</summary>
    public Enrollment? Enrollment { get; private set; }

    public string? Problem { get; private set; }

    /// <summary>
    /// Set for the one page view after the user cancelled: the grain no longer returns a cancelled enrollment, so
    /// without it the page could not tell "cancelled a moment ago" from "never enrolled".
    /// </summary>
    [TempData]
    public bool JustCancelled { get; set; }

    public bool Holds => Enrollment is { Status: not EnrollmentStatus.Cancelled };

    /// <summary>Only a seat or a place in line can be given up; a checked-in or attended enrollment is history (an offer has its own buttons).</summary>
    public bool CanCancel => Enrollment is { Status: EnrollmentStatus.Confirmed or EnrollmentStatus.Waitlisted };

    public bool HoldsOffer => Enrollment is { Status: EnrollmentStatus.Offered };

    /// <summary>A seat is held (confirmed, checked in, attended): the calendar invitation is theirs to download.</summary>
    public bool HoldsSeat => Enrollment is { Status: EnrollmentStatus.Confirmed or EnrollmentStatus.CheckedIn or EnrollmentStatus.Attended };

    /// <summary>Why a newcomer would be refused now (full, not open yet, closed), or null.</summary>
    public EnrollmentOutcome? Refusal => Holds ? null : EventAvailability.Refusal(Event);

    public bool ShowFull => Refusal is not null;

    public bool CanEnroll => !Holds && !ShowFull;

    /// <summary>Enrolling needs a confirmed address (Enrollment:RequireVerifiedEmail), and this account has none yet.</summary>
    public bool MustConfirm { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        if (MustConfirm = !await gate.MayEnrollAsync(User, cancellationToken))
        {
            Problem = ConfirmFirst;
            return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
        }

        try
        {
            // Each press is a new request; pressing twice is harmless because the grain returns the first enrollment.
            var result = await grains.GetGrain<IEventCapacityGrain>(id).Enroll(User.UserId(), Guid.NewGuid());
            switch (result.Outcome)
            {
                case EnrollmentOutcome.EventNotFound:
                    return NotFound();
                case EnrollmentOutcome.NotOpenYet or EnrollmentOutcome.Closed or EnrollmentOutcome.EventFull:
                    // The page showed the button a moment ago; the event's window or seats have moved since.
                    Problem = RefusalText(result.Outcome);
                    return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
            }
        }
        catch (EnrollmentUnavailableException)
        {
            Problem = Unavailable;
            return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
        }

        // Post/redirect/get: reloading the page shows the enrollment instead of offering to send the form again.
        return LocalRedirect($"/app/events/{id}");
    }

    public async Task<IActionResult> OnPostCancelAsync(Guid id, CancellationToken cancellationToken)
    {
        TransitionResult result;
        try
        {
            // The grain takes the actor from the user id; a freed seat goes to the head of the waitlist in the same commit.
            result = await grains.GetGrain<IEventCapacityGrain>(id)
                .CancelOwn(User.UserId(), new TransitionRequest(User.UserId(), Guid.NewGuid(), Reason: null));
        }
        catch (EnrollmentUnavailableException)
        {
            Problem = CancelUnavailable;
            return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
        }

        switch (result.Outcome)
        {
            case TransitionOutcome.Done:
                JustCancelled = true;
                return LocalRedirect($"/app/events/{id}");
            case TransitionOutcome.NotFound when await catalog.FindAsync(id, cancellationToken) is null:
                return NotFound();
            default:
                // Not enrolled any more (a second press, another tab) or past cancelling (checked in): say which.
                Problem = result.Message;
                return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
        }
    }

    /// <summary>The calendar invitation (<c>?handler=Calendar</c>), as the API serves it.</summary>
    public async Task<IActionResult> OnGetCalendarAsync(Guid id, CancellationToken cancellationToken) =>
        await invitations.ForAsync(id, User.UserId(), cancellationToken) is ({ } file, _)
            ? File(file.Content, EventInvitation.ContentType, file.FileName)
            : NotFound();

    public Task<IActionResult> OnPostAcceptAsync(Guid id, CancellationToken cancellationToken) =>
        AnswerOfferAsync(id, (grain, request) => grain.AcceptOffer(User.UserId(), request), cancellationToken);

    public Task<IActionResult> OnPostDeclineAsync(Guid id, CancellationToken cancellationToken) =>
        AnswerOfferAsync(id, (grain, request) => grain.DeclineOffer(User.UserId(), request), cancellationToken);

    /// <summary>The sentence for a refused newcomer, as the API's problem title says it.</summary>
    public static string RefusalText(EnrollmentOutcome outcome) => outcome switch
    {
        EnrollmentOutcome.NotOpenYet => EnrollmentResult.NotOpenYetTitle,
        EnrollmentOutcome.Closed => EnrollmentResult.ClosedTitle,
        _ => EnrollmentResult.EventFullTitle,
    };

    private async Task<IActionResult> AnswerOfferAsync(
        Guid id, Func<IEventCapacityGrain, TransitionRequest, Task<TransitionResult>> answer, CancellationToken cancellationToken)
    {
        TransitionResult result;
        try
        {
            result = await answer(grains.GetGrain<IEventCapacityGrain>(id), new TransitionRequest(User.UserId(), Guid.NewGuid(), Reason: null));
        }
        catch (EnrollmentUnavailableException)
        {
            Problem = AnswerUnavailable;
            return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
        }

        if (result.Outcome == TransitionOutcome.Done)
        {
            JustCancelled = result.Enrollment?.Status == EnrollmentStatus.Cancelled;
            return LocalRedirect($"/app/events/{id}");
        }

        if (result.Outcome == TransitionOutcome.NotFound && await catalog.FindAsync(id, cancellationToken) is null)
        {
            return NotFound();
        }

        // Too late (the offer expired) or already answered in another tab: the grain's message says which.
        Problem = result.Message;
        return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await catalog.FindAsync(id, cancellationToken) is not { } info)
        {
            return false;
        }

        Event = info;
        // The grain's answer carries the waiting rank, which is what the status sentence shows.
        Enrollment = await grains.GetGrain<IEventCapacityGrain>(id).GetEnrollment(User.UserId());
        MustConfirm = !Holds && !await gate.MayEnrollAsync(User, cancellationToken);
        return true;
    }
}
