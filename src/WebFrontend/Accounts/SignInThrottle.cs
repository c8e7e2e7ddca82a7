using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace OrleansEnrollment.WebFrontend.Accounts;

/// <summary>
/// Slows down guessing one account's password, from however many addresses: after
/// <see cref="SignInThrottleOptions.FreeFailuresPerAccount"/> failures within the window, every attempt on the account
/// waits first (doubling with each further failure, capped), the right password too. Nobody can lock the owner out, and a
/// guesser gets a few guesses a minute. Per frontend, in memory: with several frontends a guesser gets each one's share.
/// </summary>
public sealed class SignInThrottle(IOptionsMonitor<AccountOptions> options, TimeProvider clock)
{
    private const int MaxTracked = 100_000;

    private readonly ConcurrentDictionary<string, (int Count, DateTimeOffset Since)> failures = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long an attempt on this account waits before its password is checked.</summary>
    public TimeSpan DelayFor(string? email)
    {
        var settings = options.CurrentValue.SignIn;
        if (Key(email) is not { } key || !failures.TryGetValue(key, out var recent) || clock.GetUtcNow() - recent.Since > settings.FailureWindow)
        {
            return TimeSpan.Zero;
        }

        // the free failures are spent: this attempt waits, and each further one twice as long
        var beyond = recent.Count - settings.FreeFailuresPerAccount;
        if (beyond < 0)
        {
            return TimeSpan.Zero;
        }

        var delay = settings.FirstDelay * Math.Pow(2, Math.Min(beyond, 16));
        return delay < settings.MaxDelay ? delay : settings.MaxDelay;
    }

    public void Failed(string? email)
    {
        if (Key(email) is not { } key)
        {
            return;
        }

        if (failures.Count >= MaxTracked)
        {
            failures.Clear();
        }

        var now = clock.GetUtcNow();
        var window = options.CurrentValue.SignIn.FailureWindow;
        failures.AddOrUpdate(key, (1, now), (_, recent) => now - recent.Since > window ? (1, now) : (recent.Count + 1, recent.Since));
    }

    public void Succeeded(string? email)
    {
        if (Key(email) is { } key)
        {
            failures.TryRemove(key, out _);
        }
    }

    /// <summary>
    /// The network a client is counted by: its IPv4 address, or the /64 of its IPv6 address (what one subscriber
    /// usually holds, so a guesser cannot step through addresses of their own prefix).
    /// </summary>
    public static string NetworkOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private static string? Key(string? email) => string.IsNullOrWhiteSpace(email) || email.Length > AccountRules.MaxEmailLength ? null : email.Trim();
}
