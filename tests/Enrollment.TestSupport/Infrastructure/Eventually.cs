namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>Waits for an asynchronous outcome (a message consumed, an outbox drained) within a bounded time.</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {timeout.TotalSeconds:0.#} s: {what}");
            }

            await Task.Delay(50);
        }
    }
}
