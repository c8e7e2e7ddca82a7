using System.Text.Json.Serialization;
using System.Xml;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.WebFrontend.Api;

/// <summary>
/// The optional policy fields of <c>POST /api/admin/events</c> and <c>PUT …/policy</c>: how freed seats reach the
/// waitlist and when enrolling is open. A field left out keeps what the event has (or the default, for a new event);
/// a timestamp sent as null removes it.
/// </summary>
public abstract class PolicyFields
{
    private string? promotion;
    private string? claimWindow;
    private DateTimeOffset? opensAt;
    private DateTimeOffset? closesAt;
    private DateTimeOffset? waitlistClosesAt;

    /// <summary><c>automatic</c> (a freed seat confirms the head of the waitlist) or <c>offer</c> (it is held for them for the claim window).</summary>
    public string? Promotion { get => promotion; init => (promotion, PromotionGiven) = (value, true); }

    /// <summary>How long an offer holds its seat: an ISO 8601 duration from PT1S to P30D, e.g. PT12H.</summary>
    public string? ClaimWindow { get => claimWindow; init => (claimWindow, ClaimWindowGiven) = (value, true); }

    public DateTimeOffset? OpensAt { get => opensAt; init => (opensAt, OpensAtGiven) = (value, true); }

    public DateTimeOffset? ClosesAt { get => closesAt; init => (closesAt, ClosesAtGiven) = (value, true); }

    public DateTimeOffset? WaitlistClosesAt { get => waitlistClosesAt; init => (waitlistClosesAt, WaitlistClosesAtGiven) = (value, true); }

    [JsonIgnore]
    public bool PromotionGiven { get; private set; }

    [JsonIgnore]
    public bool ClaimWindowGiven { get; private set; }

    [JsonIgnore]
    public bool OpensAtGiven { get; private set; }

    [JsonIgnore]
    public bool ClosesAtGiven { get; private set; }

    [JsonIgnore]
    public bool WaitlistClosesAtGiven { get; private set; }

    /// <summary>
    /// <paramref name="current"/> with the capacity, waitlist and every field given here; the problems go into
    /// <paramref name="problems"/> by field name. Turning offers off drops the claim window unless one is given.
    /// </summary>
    public EnrollmentPolicy Apply(EnrollmentPolicy current, int? capacity, bool hasWaitlist, IDictionary<string, string[]> problems)
    {
        var policy = current with { Capacity = capacity, HasWaitlist = hasWaitlist };
        if (PromotionGiven)
        {
            switch (Promotion)
            {
                case "automatic":
                    policy = policy with { Promotion = PromotionMode.Automatic, ClaimWindow = null };
                    break;
                case "offer":
                    policy = policy with { Promotion = PromotionMode.Offer };
                    break;
                default:
                    problems["promotion"] = ["promotion is \"automatic\" or \"offer\"."];
                    break;
            }
        }

        if (ClaimWindowGiven)
        {
            if (ClaimWindow is null)
            {
                policy = policy with { ClaimWindow = null };
            }
            else if (TryParseDuration(ClaimWindow, out var window))
            {
                policy = policy with { ClaimWindow = window };
            }
            else
            {
                problems["claimWindow"] = ["claimWindow is an ISO 8601 duration such as PT12H or P2D."];
            }
        }

        policy = policy with
        {
            OpensAt = OpensAtGiven ? OpensAt : policy.OpensAt,
            ClosesAt = ClosesAtGiven ? ClosesAt : policy.ClosesAt,
            WaitlistClosesAt = WaitlistClosesAtGiven ? WaitlistClosesAt : policy.WaitlistClosesAt,
        };

        if (problems.Count == 0 && policy.Validate() is { } problem)
        {
            var field = problem.Contains("claim window", StringComparison.OrdinalIgnoreCase) || problem.Contains("Offers", StringComparison.Ordinal)
                ? "claimWindow"
                : problem.Contains("close", StringComparison.Ordinal) ? "closesAt" : "capacity";
            problems[field] = [problem];
        }

        return policy;
    }

    public static string? FormatDuration(TimeSpan? duration) => duration is { } value ? XmlConvert.ToString(value) : null;

    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        try
        {
            duration = XmlConvert.ToTimeSpan(text.Trim());
            return text.TrimStart().StartsWith('P');
        }
        catch (FormatException)
        {
            duration = default;
            return false;
        }
        catch (OverflowException)
        {
            duration = default;
            return false;
        }
    }
}
