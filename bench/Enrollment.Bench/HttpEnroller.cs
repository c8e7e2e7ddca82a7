using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace OrleansEnrollment.Bench;

/// <summary>One enrollment through the public API, as a signed-in user: <c>POST /api/events/{id}/enrollments</c>.</summary>
public sealed class HttpEnroller(HttpClient http, Guid eventId)
{
    private readonly string path = $"/api/events/{eventId}/enrollments";

    public async Task<RequestOutcome> EnrollAsync(string bearerToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        using var response = await http.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            // a new user must get a new enrollment (201); say what came instead
            var body = await response.Content.ReadAsStringAsync();
            throw new HttpRequestException($"{(int)response.StatusCode} {response.StatusCode}: {body[..Math.Min(body.Length, 300)]}");
        }

        await using var stream = await response.Content.ReadAsStreamAsync();
        using var json = await JsonDocument.ParseAsync(stream);
        return json.RootElement.GetProperty("status").GetString() switch
        {
            "confirmed" => RequestOutcome.Confirmed,
            "waitlisted" => RequestOutcome.Waitlisted,
            _ => RequestOutcome.Unexpected,
        };
    }
}
