using System.Text;

namespace OrleansEnrollment.Tests.Fuzz;

/// <summary>Junk for every field: SQL metacharacters, unicode trouble, control characters, lengths at and past the limits.</summary>
public sealed class HostileValues(Random random)
{
    private static readonly string[] Strings =
    [
        "", " ", "   \t\n", "null", "undefined", "0", "-1", "NaN", "true",
        "' OR '1'='1", "'; DROP TABLE users; --", "\"; SELECT pg_sleep(30); --", "1; UPDATE enrollment_policies SET capacity = 0", "%", "_", "\\", "$1",
        "E'\\x00'", "\u0000", "a\u0000b", "\uD800", "x\uDFFFy", "\uFFFE", "𝕳𝖊𝖑𝖑𝖔 🎉🎉", "\u202Eevil\u202C", "ｆｕｌｌｗｉｄｔｈ", "Z̷̢̛a̴l̸g̵o̶",
        "<script>alert(1)</script>", "../../../../etc/passwd", "%00", "%2e%2e%2f", "{{7*7}}", "${jndi:ldap://x/a}", "\r\nX-Injected: yes",
        "a@b", "@", "a@", "@b.c", "\"quoted\"@example.com", "user@[127.0.0.1]", "üñí@çødé.example",
    ];

    public string String()
    {
        var pick = random.Next(10);
        return pick switch
        {
            0 => new string('x', random.Next(2) == 0 ? 201 : 20_000),
            1 => RandomUnicode(random.Next(1, 40)),
            2 => Strings[random.Next(Strings.Length)] + Strings[random.Next(Strings.Length)],
            _ => Strings[random.Next(Strings.Length)],
        };
    }

    /// <summary>A string that is not a GUID in any format .NET accepts.</summary>
    public string NonGuid()
    {
        var value = String();
        return Guid.TryParse(value, out _) ? "not-a-guid" : value;
    }

    /// <summary>Characters PostgreSQL text cannot hold, or UTF-16 that is not text at all.</summary>
    public string Unstorable() => random.Next(3) switch
    {
        0 => "name\u0000with nul",
        1 => "lone \uD800 surrogate",
        _ => "\uDC00",
    };

    public object Number() => random.Next(8) switch
    {
        0 => -1,
        1 => int.MinValue,
        2 => -random.Next(1, int.MaxValue),
        3 => (long)int.MaxValue + 1,
        4 => double.PositiveInfinity, // written as 1e309, past what a double holds
        5 => "-12", // the API's JSON reads numbers from strings too, so only a string of a bad number is invalid
        6 => 3.5,
        _ => new[] { 1, 2 },
    };

    public T Pick<T>(params T[] choices) => choices[random.Next(choices.Length)];

    public bool Chance(int percent) => random.Next(100) < percent;

    public int Next(int max) => random.Next(max);

    private string RandomUnicode(int length)
    {
        var text = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            text.Append((char)random.Next(0x20, 0xFFFF));
        }

        return text.ToString();
    }
}
