namespace OrleansEnrollment.WebFrontend.Api;

/// <summary>
/// Text PostgreSQL can store: no NUL character (text columns refuse it) and well-formed UTF-16 (a lone surrogate has
/// no UTF-8 form, so Npgsql cannot send it). Input that fails this is the caller's mistake, a 400, not a server error.
/// </summary>
public static class StorableText
{
    public static bool IsStorable(string? text)
    {
        if (text is null)
        {
            return true;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0' || char.IsLowSurrogate(c))
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 == text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                i++; // the pair is one character
            }
        }

        return true;
    }
}
