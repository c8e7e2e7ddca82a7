namespace OrleansEnrollment.Offers;

/// <summary>How offers past their deadline are found (<c>Offers</c> settings).</summary>
public sealed class OfferOptions
{
    public const string Section = "Offers";

    /// <summary>
    /// How often each silo looks for offers past their deadline. An offer ends at most this long (plus one grain call)
    /// after its deadline, whether or not anybody calls its event.
    /// </summary>
    public TimeSpan ExpiryPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);
}
