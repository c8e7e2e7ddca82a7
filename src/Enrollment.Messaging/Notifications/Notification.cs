using Npgsql;

namespace OrleansEnrollment.Notifications;

public static class NotificationKinds
{
    public const string Confirmed = "confirmed";
    public const string Waitlisted = "waitlisted";
    public const string Promoted = "promoted";
    public const string Cancelled = "cancelled";
    public const string Offered = "offered";
    public const string OfferAccepted = "offer_accepted";
    public const string OfferDeclined = "offer_declined";
    public const string OfferExpired = "offer_expired";
}

/// <summary>Something a user was told about their enrollment.</summary>
public sealed record Notification(
    Guid Id, Guid UserId, Guid EventId, Guid? EnrollmentId, string Kind, string Message, Guid SourceMessageId, DateTimeOffset CreatedAt,
    DateTimeOffset? ReadAt);

public sealed class NotificationQueries(NpgsqlDataSource dataSource)
{
    /// <summary>A user's notifications, newest first.</summary>
    public async Task<IReadOnlyList<Notification>> ListForUserAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT id, user_id, event_id, enrollment_id, kind, message, source_message_id, created_at, read_at
              FROM notifications
             WHERE user_id = $1
             ORDER BY created_at DESC, id DESC
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });

        var notifications = new List<Notification>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            notifications.Add(new Notification(
                reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.IsDBNull(3) ? null : reader.GetGuid(3),
                reader.GetString(4), reader.GetString(5), reader.GetGuid(6), reader.GetFieldValue<DateTimeOffset>(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8)));
        }

        return notifications;
    }
}
