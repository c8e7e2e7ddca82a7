using CsvHelper;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>A CSV file read back with CsvHelper: its header and each row by column name, values exactly as written.</summary>
public sealed record CsvFile(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyDictionary<string, string>> Rows)
{
    private static readonly CsvReaderOptions Strict = CsvReaderOptions.Default with { Separator = ',', TrimWhitespace = false };

    public static async Task<CsvFile> ReadAsync(Stream stream)
    {
        await using var reader = CsvReader.Create(stream, Strict, leaveOpen: true);
        await reader.ReadHeaderAsync();
        var header = reader.Headers.ToList();
        var rows = new List<IReadOnlyDictionary<string, string>>();
        while (await reader.ReadAsync())
        {
            Assert.Equal(header.Count, reader.FieldCount);
            rows.Add(header.Select((name, index) => (name, index)).ToDictionary(column => column.name, column => reader.GetString(column.index)));
        }

        return new CsvFile(header, rows);
    }

    /// <summary>The rows in one column, in file order.</summary>
    public IReadOnlyList<string> Column(string name) => Rows.Select(row => row[name]).ToList();
}
