using Npgsql;
using NpgsqlTypes;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Database;

/// <summary>
/// The columns of <c>enrollment_policies</c> that make up an <see cref="EnrollmentPolicy"/> (migrations 0001 and 0013):
/// one place that reads them, and one that writes them, for every query that does.
/// </summary>
internal static class PolicyColumns
{
    /// <summary>The columns, in the order <see cref="Read"/> expects them; prefix them with a table alias when one is needed.</summary>
    public static string Names(string alias = "") =>
        string.Join(", ", new[] { "capacity", "has_waitlist", "promotion", "claim_window", "opens_at", "closes_at", "waitlist_closes_at" }
            .Select(column => alias.Length == 0 ? column : $"{alias}.{column}"));

    public const int Count = 7;

    /// <summary>"SET" assignments from parameters <c>$first</c> to <c>$first+6</c>, in <see cref="Parameters"/>' order.</summary>
    public static string Assignments(int first) =>
        $"capacity = ${first}, has_waitlist = ${first + 1}, promotion = ${first + 2}, claim_window = ${first + 3}, " +
        $"opens_at = ${first + 4}, closes_at = ${first + 5}, waitlist_closes_at = ${first + 6}";

    public static EnrollmentPolicy Read(NpgsqlDataReader reader, int first) =>
        new(reader.IsDBNull(first) ? null : reader.GetInt32(first), reader.GetBoolean(first + 1))
        {
            Promotion = reader.GetString(first + 2) == "offer" ? PromotionMode.Offer : PromotionMode.Automatic,
            ClaimWindow = reader.IsDBNull(first + 3) ? null : reader.GetFieldValue<TimeSpan>(first + 3),
            OpensAt = reader.IsDBNull(first + 4) ? null : reader.GetFieldValue<DateTimeOffset>(first + 4),
            ClosesAt = reader.IsDBNull(first + 5) ? null : reader.GetFieldValue<DateTimeOffset>(first + 5),
            WaitlistClosesAt = reader.IsDBNull(first + 6) ? null : reader.GetFieldValue<DateTimeOffset>(first + 6),
        };

    public static IEnumerable<NpgsqlParameter> Parameters(EnrollmentPolicy policy) =>
    [
        new NpgsqlParameter { Value = (object?)policy.Capacity ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer },
        new NpgsqlParameter<bool> { TypedValue = policy.HasWaitlist },
        new NpgsqlParameter<string> { TypedValue = policy.Promotion == PromotionMode.Offer ? "offer" : "automatic" },
        new NpgsqlParameter { Value = (object?)policy.ClaimWindow ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Interval },
        Timestamp(policy.OpensAt),
        Timestamp(policy.ClosesAt),
        Timestamp(policy.WaitlistClosesAt),
    ];

    private static NpgsqlParameter Timestamp(DateTimeOffset? at) =>
        new() { Value = (object?)at?.ToUniversalTime() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };
}
