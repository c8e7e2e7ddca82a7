using System.Text.Json;
using OrleansEnrollment.DomainEvents;

namespace OrleansEnrollment.Outbox;

/// <summary>How a domain event is stored in the outbox: a type name and a JSON payload.</summary>
public static class DomainEventJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    // Stored names outlive class renames: add a line here for each new domain event, never change one.
    private static readonly Dictionary<string, Type> TypesByName = new()
    {
        ["enrollment_confirmed"] = typeof(EnrollmentConfirmed),
        ["enrollment_waitlisted"] = typeof(EnrollmentWaitlisted),
        ["enrollment_cancelled"] = typeof(EnrollmentCancelled),
        ["enrollment_promoted"] = typeof(EnrollmentPromoted),
        ["enrollment_checked_in"] = typeof(EnrollmentCheckedIn),
        ["enrollment_attended"] = typeof(EnrollmentAttended),
        ["enrollment_offered"] = typeof(EnrollmentOffered),
        ["offer_accepted"] = typeof(OfferAccepted),
        ["offer_declined"] = typeof(OfferDeclined),
        ["offer_expired"] = typeof(OfferExpired),
    };

    private static readonly Dictionary<Type, string> NamesByType = TypesByName.ToDictionary(pair => pair.Value, pair => pair.Key);

    public static string TypeName(EnrollmentEvent domainEvent) => TypeName(domainEvent.GetType());

    public static string TypeName(Type domainEventType) =>
        NamesByType.TryGetValue(domainEventType, out var name)
            ? name
            : throw new InvalidOperationException($"{domainEventType.Name} has no outbox type name; add it to {nameof(DomainEventJson)}.");

    public static string Serialize(EnrollmentEvent domainEvent) => JsonSerializer.Serialize(domainEvent, domainEvent.GetType(), Options);

    public static EnrollmentEvent Deserialize(string typeName, string payload) =>
        TypesByName.TryGetValue(typeName, out var type)
            ? (EnrollmentEvent)JsonSerializer.Deserialize(payload, type, Options)!
            : throw new InvalidOperationException($"Unknown outbox event type '{typeName}'.");
}
