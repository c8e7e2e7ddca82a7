using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace OrleansEnrollment.Tests.Fuzz;

/// <summary>Who is calling: nobody, a forged, tampered or expired token, a signed-in user, or the admin.</summary>
public enum Caller
{
    Anonymous,
    Forged,
    Expired,
    Attacker,
    Admin,
}

/// <param name="Authorization">The header to send, already chosen for <paramref name="Caller"/>.</param>
public sealed record HostileRequest(Caller Caller, HttpMethod Method, string Path, string? Authorization, HttpContent? Content, string What)
{
    public string? IdempotencyKey { get; init; }

    /// <summary>
    /// Answered 202 like any registration, so the answer does not reveal that the address is taken; nothing of the
    /// account changes (its owner is told by mail).
    /// </summary>
    public bool AnsweredAsAnyRegistration { get; init; }

    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(Method, Path) { Content = Content };
        if (Authorization is not null)
        {
            message.Headers.TryAddWithoutValidation("Authorization", Authorization);
        }

        if (IdempotencyKey is not null)
        {
            message.Headers.TryAddWithoutValidation("Idempotency-Key", IdempotencyKey);
        }

        return message;
    }
}

/// <summary>What the fuzzer knows of the world: the one real event, the other user's ids, and the tokens to use.</summary>
public sealed record FuzzTargets(
    Guid EventId, Guid VictimUserId, Guid VictimEnrollmentId, string VictimEmail, string AttackerToken, string AdminToken, string ExpiredToken);

/// <summary>
/// Generates requests that must all be refused: each carries at least one thing wrong that the API must catch before
/// changing anything (so any state change, 5xx or leak is a bug).
/// </summary>
public sealed class HostileRequests(HostileValues junk, FuzzTargets targets)
{
    public HostileRequest Next() => junk.Next(15) switch
    {
        0 => ReadEvent(),
        1 => EnrollNowhere(),
        2 => EnrollWithBadKey(),
        3 => CancelNothing(),
        4 => AdminAsSomeoneElse(),
        5 => CreateEventBadly(),
        6 => ChangePolicyBadly(),
        7 => AdminTransitionBadly(),
        8 => Register(),
        9 => Token(),
        10 => WrongMethod(),
        11 => WrongContentType(),
        12 => junk.Chance(10) ? HugeBody() : BrokenJson(),
        13 => ReadMine(),
        _ => GrantAdminBadly(),
    };

    private HostileRequest ReadEvent()
    {
        var caller = AnyCaller();
        return Make(caller, HttpMethod.Get, junk.Pick("/api/events/", "/api/events?") + Id(allowEvent: true), null, "read an event");
    }

    // Unknown, malformed or someone else's ids: never the one real event (in any of the formats a GUID parses from).
    private HostileRequest EnrollNowhere() =>
        Make(AnyCaller(), HttpMethod.Post, $"/api/events/{Id(allowEvent: false)}/enrollments", junk.Chance(30) ? Json(Body()) : null, "enroll in no event");

    // The one real event and a valid token: only the malformed key stands between this request and an enrollment.
    private HostileRequest EnrollWithBadKey()
    {
        // "k" first: never empty (an empty header would not be sent) and never a GUID; printable ASCII, as headers are
        var key = "k" + new string(junk.NonGuid().Where(c => c is >= ' ' and <= '~').ToArray());
        var request = Make(Caller.Attacker, HttpMethod.Post, $"/api/events/{targets.EventId}/enrollments", null, "enroll with a malformed idempotency key");
        return request with { IdempotencyKey = key };
    }

    // The attacker is enrolled nowhere, so cancelling "my" enrollment anywhere changes nothing.
    private HostileRequest CancelNothing() =>
        Make(junk.Pick(Caller.Attacker, Caller.Anonymous, Caller.Forged, Caller.Expired), HttpMethod.Delete,
            $"/api/events/{junk.Pick(targets.EventId.ToString(), Id(allowEvent: true))}/enrollments/me", null, "cancel someone else's enrollment");

    private HostileRequest AdminAsSomeoneElse()
    {
        var enrollment = junk.Pick(targets.VictimEnrollmentId.ToString(), Id(allowEvent: true));
        var (method, path) = junk.Next(7) switch
        {
            0 => (HttpMethod.Post, "/api/admin/events"),
            1 => (HttpMethod.Put, $"/api/admin/events/{targets.EventId}/policy"),
            2 => (HttpMethod.Get, $"/api/admin/events/{targets.EventId}/enrollments"),
            3 => (HttpMethod.Get, $"/api/admin/events/{targets.EventId}/enrollments/{enrollment}/transitions"),
            4 => (HttpMethod.Post, $"/api/admin/admins"),
            _ => (HttpMethod.Post, $"/api/admin/events/{targets.EventId}/enrollments/{enrollment}/{junk.Pick("check-in", "attend", "cancel", "promote")}"),
        };
        var body = Json(new Dictionary<string, object?>
        {
            ["title"] = "Hijacked", ["startsAt"] = "2030-01-01T00:00:00Z", ["capacity"] = 0, ["hasWaitlist"] = false, ["email"] = "x@test.local",
        });
        return Make(junk.Pick(Caller.Attacker, Caller.Anonymous, Caller.Forged, Caller.Expired), method, path, body, "an admin route without being admin");
    }

    private HostileRequest CreateEventBadly()
    {
        var fields = new Dictionary<string, object?>
        {
            ["title"] = junk.String(), ["startsAt"] = junk.Pick<object?>("2030-01-01T00:00:00Z", junk.String(), 12), ["capacity"] = junk.Pick<object?>(5, null, junk.Number()),
            ["hasWaitlist"] = junk.Pick<object?>(true, "yes", null, 1),
        };
        // at least one of: no title, a title too long or unstorable, a bad capacity, a missing field
        switch (junk.Next(4))
        {
            case 0: fields["title"] = junk.Pick("", "   ", new string('t', 201), " " + new string('t', 201) + " "); break;
            case 1: fields["capacity"] = junk.Number(); break;
            case 2: fields.Remove(junk.Pick("title", "startsAt", "capacity", "hasWaitlist")); break;
            default: fields["title"] = junk.Unstorable(); break;
        }

        return Make(Caller.Admin, HttpMethod.Post, "/api/admin/events", Json(fields), "create an invalid event");
    }

    private HostileRequest ChangePolicyBadly()
    {
        var fields = new Dictionary<string, object?> { ["capacity"] = junk.Number(), ["hasWaitlist"] = junk.Pick<object?>(true, false, "no", null) };
        if (junk.Chance(30))
        {
            fields.Remove(junk.Pick("capacity", "hasWaitlist"));
        }

        return Make(Caller.Admin, HttpMethod.Put, $"/api/admin/events/{junk.Pick(targets.EventId.ToString(), Id(allowEvent: false))}/policy", Json(fields), "an invalid policy");
    }

    private HostileRequest AdminTransitionBadly()
    {
        var action = junk.Pick("check-in", "attend", "cancel", "promote");
        // malformed ids, or real ones with a reason past its limit or unstorable
        return junk.Next(3) switch
        {
            0 => Make(Caller.Admin, HttpMethod.Post, $"/api/admin/events/{junk.NonGuid().Replace("/", "")}/enrollments/{targets.VictimEnrollmentId}/{action}", null, "a transition on a malformed event id"),
            1 => Make(Caller.Admin, HttpMethod.Post, $"/api/admin/events/{targets.EventId}/enrollments/{Uri.EscapeDataString(junk.NonGuid())}/{action}", null, "a transition on a malformed enrollment id"),
            _ => Make(Caller.Admin, HttpMethod.Post, $"/api/admin/events/{targets.EventId}/enrollments/{targets.VictimEnrollmentId}/{action}",
                Json(new Dictionary<string, object?> { ["reason"] = junk.Pick(new string('r', 501), junk.Unstorable(), (object?)42) }), "a transition with a bad reason"),
        };
    }

    private HostileRequest GrantAdminBadly() => Make(Caller.Admin, HttpMethod.Post, "/api/admin/admins",
        Json(new Dictionary<string, object?> { ["email"] = junk.Pick<object?>("", null, new string('e', 300) + "@x.io", $"nobody-{junk.Next(1000)}@nowhere.invalid", junk.Unstorable(), junk.String(), 7) }),
        "make a non-account admin");

    private HostileRequest Register()
    {
        var fields = new Dictionary<string, object?>
        {
            ["email"] = junk.Pick<object?>($"fuzz-{junk.Next(1_000_000)}@test.local", junk.String(), targets.VictimEmail), ["password"] = junk.Pick<object?>("long-enough-password", junk.String()),
            ["displayName"] = junk.Pick<object?>("Fuzz", junk.String()),
        };
        // each variant is wrong on its own: a short password, a bad address, the victim's address, an unstorable name
        switch (junk.Next(5))
        {
            case 0: fields["password"] = junk.Pick<object?>("short", "", null, new string('p', 129), 12345678); break;
            case 1: fields["email"] = junk.Pick<object?>("no-at-sign", "", null, new string('e', 250) + "@x.io", 5); break;
            case 2:
                fields["email"] = targets.VictimEmail.ToUpperInvariant();
                fields["password"] = "long-enough-password";
                fields["displayName"] = "Fuzz";
                var registration = Make(Caller.Anonymous, HttpMethod.Post, "/api/auth/register", Json(fields), "a registration of the victim's address");
                return registration with { AnsweredAsAnyRegistration = true };
            case 3: fields["displayName"] = junk.Pick<object?>("", "  ", new string('d', 101), null); break;
            default: fields["email"] = $"fuzz-{junk.Next(1_000_000)}@test.local"; fields["password"] = "long-enough-password"; fields["displayName"] = junk.Unstorable(); break;
        }

        return Make(Caller.Anonymous, HttpMethod.Post, "/api/auth/register", Json(fields), "an invalid registration");
    }

    private HostileRequest Token()
    {
        var email = junk.Chance(3) ? targets.VictimEmail : junk.Pick<object?>(junk.String(), junk.Unstorable(), null, 3, new string('e', 300));
        var password = junk.Pick<object?>(junk.String(), "wrong-password-123", junk.Unstorable(), null, new string('p', 200));
        return Make(Caller.Anonymous, HttpMethod.Post, "/api/auth/token", Json(new Dictionary<string, object?> { ["email"] = email, ["password"] = password }), "sign in wrongly");
    }

    private HostileRequest WrongMethod()
    {
        var (method, path) = junk.Pick(
            (HttpMethod.Patch, "/api/events"), (HttpMethod.Delete, "/api/events"), (HttpMethod.Put, $"/api/events/{targets.EventId}"),
            (HttpMethod.Get, "/api/auth/register"), (HttpMethod.Delete, "/api/auth/token"), (HttpMethod.Put, $"/api/events/{targets.EventId}/enrollments"),
            (HttpMethod.Post, "/api/me/enrollments"), (HttpMethod.Delete, "/api/admin/events"), (HttpMethod.Get, $"/api/admin/events/{targets.EventId}/policy"),
            (new HttpMethod("TRACE"), "/api/events"), (new HttpMethod("PROPFIND"), "/api/me/notifications"));
        return Make(AnyCaller(), method, path, junk.Chance(50) ? Json(Body()) : null, "a wrong method");
    }

    private HostileRequest WrongContentType()
    {
        var path = junk.Pick("/api/auth/register", "/api/auth/token", "/api/admin/events", $"/api/admin/events/{targets.EventId}/policy", "/api/admin/admins");
        var content = new StringContent(junk.Pick("email=a&password=b", "<xml/>", "{\"capacity\": -1}", junk.String()), Encoding.UTF8);
        content.Headers.ContentType = junk.Chance(20) ? null : new MediaTypeHeaderValue(junk.Pick("text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data", "application/jsonp", "image/png"));
        var method = path.EndsWith("/policy", StringComparison.Ordinal) ? HttpMethod.Put : HttpMethod.Post;
        return Make(path.Contains("/admin/", StringComparison.Ordinal) ? Caller.Admin : Caller.Anonymous, method, path, content, "a wrong content type");
    }

    private HostileRequest BrokenJson()
    {
        var path = junk.Pick("/api/auth/register", "/api/auth/token", "/api/admin/events", $"/api/admin/events/{targets.EventId}/policy", "/api/admin/admins",
            $"/api/admin/events/{targets.EventId}/enrollments/{targets.VictimEnrollmentId}/cancel");
        // Not one of these is a valid body. The transition route takes an optional body whose fields are all optional, so
        // it gets only the ones that are not JSON objects at all (or a reason it must refuse).
        var broken = new List<string>
        {
            "{", "}", "[", "{\"email\":", "{\"capacity\": 1,}", "{'title': 'single quotes'}", "nul", "\"just a string\"", "[1,2,3]",
            "{\"capacity\": NaN}", "{\"capacity\": 0x10}", "{\"reason\": \"\\u0000\"}", "{\"reason\": \"\\uD800\"}", new string('[', 5000) + new string(']', 5000),
            "{\"a\":" + new string('{', 200), "\u0000\u0001\u0002",
        };
        if (!path.EndsWith("/cancel", StringComparison.Ordinal))
        {
            broken.AddRange(["{\"capacity\": 1e999}", "{\"title\": \"\\uD800\"}", "{\"title\": \"a\", \"title\": 5}", "\uFEFF{}", "{\"capacity\": 99999999999999999999}"]);
        }

        var method = path.EndsWith("/policy", StringComparison.Ordinal) ? HttpMethod.Put : HttpMethod.Post;
        return Make(path.Contains("/admin/", StringComparison.Ordinal) ? Caller.Admin : Caller.Anonymous, method, path,
            new StringContent(broken[junk.Next(broken.Count)], Encoding.UTF8, "application/json"), "broken JSON");
    }

    // Bodies past 1 MB, with a length or (chunked) without one, to routes that read a body and ones that do not.
    private HostileRequest HugeBody()
    {
        var path = junk.Pick("/api/auth/register", "/api/auth/token", "/api/admin/events", $"/api/events/{Guid.NewGuid()}/enrollments");
        var payload = "{\"email\":\"" + new string('a', 1024 * 1024 + junk.Next(1000)) + "\"}";
        HttpContent content = junk.Chance(50)
            ? new StringContent(payload, Encoding.UTF8, "application/json")
            : new StreamContent(new ChunkedOnly(Encoding.UTF8.GetBytes(payload)));
        content.Headers.ContentType ??= new MediaTypeHeaderValue("application/json");
        return Make(path.Contains("/admin/", StringComparison.Ordinal) ? Caller.Admin : Caller.Anonymous, HttpMethod.Post, path, content, "a body over 1 MB");
    }

    private HostileRequest ReadMine() =>
        Make(junk.Pick(Caller.Anonymous, Caller.Forged, Caller.Expired, Caller.Attacker), HttpMethod.Get,
            junk.Pick("/api/me/enrollments", "/api/me/notifications", $"/api/events/{junk.Pick(targets.EventId.ToString(), Id(allowEvent: true))}/enrollments/me",
                "/api/" + Uri.EscapeDataString(junk.String()), "/api/me/" + Uri.EscapeDataString(junk.String())), null, "read my things");

    // NUL in a path is refused before the app: Kestrel answers 400 itself, and the test server's client will not send it.
    private HostileRequest Make(Caller caller, HttpMethod method, string path, HttpContent? content, string what) =>
        new(caller, method, path.Replace("\0", "%01").Replace("%00", "%01"), AuthorizationFor(caller), content, what);

    private string? AuthorizationFor(Caller caller) => caller switch
    {
        Caller.Anonymous => junk.Chance(10) ? junk.Pick("Bearer", "Bearer ", "Basic YWRtaW46YWRtaW4=", "Negotiate x") : null,
        Caller.Forged => "Bearer " + junk.Pick(
            Convert.ToBase64String(Guid.NewGuid().ToByteArray()), targets.AttackerToken[..^4] + "AAAA", targets.AdminToken[..(targets.AdminToken.Length / 2)],
            targets.AttackerToken.Replace('A', 'B'), "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.", new string('x', 10_000), junk.String().Replace("\r", "").Replace("\n", "")),
        Caller.Expired => "Bearer " + targets.ExpiredToken,
        Caller.Attacker => "Bearer " + targets.AttackerToken,
        _ => "Bearer " + targets.AdminToken,
    };

    private Caller AnyCaller() => junk.Pick(Caller.Anonymous, Caller.Forged, Caller.Expired, Caller.Attacker, Caller.Attacker);

    /// <summary>An id for a route: malformed, unknown, or another user's; the real event only when <paramref name="allowEvent"/>.</summary>
    private string Id(bool allowEvent) => junk.Next(allowEvent ? 8 : 7) switch
    {
        0 => Guid.NewGuid().ToString(),
        1 => targets.VictimUserId.ToString(),
        2 => targets.VictimEnrollmentId.ToString(junk.Pick("D", "N", "B")),
        3 => Guid.Empty.ToString(),
        4 => junk.Pick("-1", "0", "99999999999999999999", "1e10", "00000000-0000-0000-0000-00000000000g", "%7B%7D"),
        5 or 6 => Uri.EscapeDataString(junk.NonGuid()),
        _ => targets.EventId.ToString(junk.Pick("D", "N", "B", "P")),
    };

    private static Dictionary<string, object?> Body() => new() { ["reason"] = "x", ["capacity"] = 1 };

    private static StringContent Json(Dictionary<string, object?> fields)
    {
        var json = new StringBuilder("{");
        foreach (var (name, value) in fields)
        {
            json.Append(json.Length > 1 ? "," : "").Append(Escape(name)).Append(':').Append(value switch
            {
                null => "null",
                string text => Escape(text),
                bool flag => flag ? "true" : "false",
                int[] numbers => "[" + string.Join(",", numbers) + "]",
                double number when double.IsInfinity(number) => "1e309",
                IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
                _ => Escape(value.ToString() ?? ""),
            });
        }

        return new StringContent(json.Append('}').ToString(), Encoding.UTF8, "application/json");
    }

    // Escapes everything outside printable ASCII, so lone surrogates and control characters reach the server as JSON escapes.
    private static string Escape(string text)
    {
        var escaped = new StringBuilder("\"");
        foreach (var c in text)
        {
            escaped.Append(c is < ' ' or > '~' or '"' or '\\' ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return escaped.Append('"').ToString();
    }

    /// <summary>A stream of unknown length, so the client sends the body chunked, without Content-Length.</summary>
    private sealed class ChunkedOnly(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
