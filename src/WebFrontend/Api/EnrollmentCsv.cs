using System.Globalization;
using System.Text;
using CsvHelper;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.WebFrontend.Api;

/// <summary>
/// An event's enrollments as a CSV file (RFC 4180, through CsvHelper): a header, then one row per enrollment, written
/// to the response as the rows arrive from the database, so a large event is never held in memory. Times are ISO 8601
/// in UTC. The file starts with a UTF-8 byte order mark, which spreadsheet programs need to read names as UTF-8.
/// Every field is written as text, so the injection guard of <see cref="Options"/> sees each of them.
/// </summary>
public static class EnrollmentCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    public static readonly IReadOnlyList<string> Columns = ["id", "name", "email", "status", "waitlist_position", "enrolled_at", "checked_in_at"];

    /// <summary>
    /// RFC 4180 with a UTF-8 byte order mark. A text cell that starts like a formula (=, +, -, @, tab or CR) gets a leading
    /// apostrophe, so a spreadsheet shows it as text and never runs it: names and addresses are typed by the people
    /// enrolling, so "=HYPERLINK(…)" is theirs to choose.
    /// </summary>
    public static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        WriteByteOrderMark = true,
        Injection = CsvInjection.Escape,
        InjectionCharacters = "=+-@\t\r",
        InjectionEscape = '\'',
    };

    public static async Task WriteAsync(Stream body, IAsyncEnumerable<ExportedEnrollment> enrollments, CancellationToken cancellationToken)
    {
        // Every write is asynchronous: the server refuses synchronous writes to a response.
        await using var csv = CsvWriter.Create(body, Options, leaveOpen: true);
        await csv.WriteRecordAsync([.. Columns], cancellationToken);
        await foreach (var enrollment in enrollments.WithCancellation(cancellationToken))
        {
            await csv.WriteRecordAsync(
                [
                    enrollment.Id.ToString(),
                    enrollment.Name,
                    enrollment.Email,
                    enrollment.Status.ToName(),
                    enrollment.WaitlistRank?.ToString(CultureInfo.InvariantCulture) ?? "",
                    Iso(enrollment.EnrolledAt),
                    enrollment.CheckedInAt is { } checkedIn ? Iso(checkedIn) : "",
                ],
                cancellationToken);
        }

        await csv.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// The download's name, from the event's title: letters and digits kept (lower case), every other run of characters
    /// one hyphen, at most 60 of them; "event" when nothing is left.
    /// </summary>
    public static string FileName(string title, EnrollmentStatus? status)
    {
        var name = new StringBuilder();
        foreach (var c in title)
        {
            if (char.IsLetterOrDigit(c))
            {
                name.Append(char.ToLowerInvariant(c));
            }
            else if (name.Length > 0 && name[^1] != '-')
            {
                name.Append('-');
            }

            if (name.Length >= 60)
            {
                break;
            }
        }

        var stem = name.ToString().Trim('-');
        return $"{(stem.Length == 0 ? "event" : stem)}-enrollments{(status is { } only ? "-" + only.ToName().Replace('_', '-') : "")}.csv";
    }

    private static string Iso(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
