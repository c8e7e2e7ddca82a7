using System.Globalization;

namespace OrleansEnrollment.Bench;

/// <summary>What one run measures, from the command line. Every scenario gets the same clients and requests.</summary>
public sealed record BenchOptions
{
    public const string Baseline = "baseline";
    public const string Hot = "hot";
    public const string Spread = "spread";
    public const string Http = "http";
    public const string Mixed = "mixed";
    public const string Activation = "activation";
    public const string Ceiling = "ceiling";
    public const string OpenLoop = "openloop";
    public const string Growth = "growth";

    public static readonly IReadOnlyList<string> AllScenarios = [Baseline, Ceiling, Hot, Spread, Mixed, Http, Activation, OpenLoop];

    /// <summary>
    /// Run only when named: growth adds about a minute (10,000 events to create, about 110,000 enrollments to seed), and its
    /// 10,000 grains and long waitlists would stay activated under openloop, which runs after it in the same silo.
    /// </summary>
    public static readonly IReadOnlyList<string> NamedOnly = [Growth];

    public int Clients { get; init; } = 256;

    /// <summary>
    /// Timed requests per scenario (the cap when <see cref="Duration"/> is set); null picks a default per scenario.
    /// </summary>
    public int? Requests { get; init; }

    /// <summary>When set, each scenario runs this long (or until <see cref="Requests"/>), instead of for a request count.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Untimed requests before each scenario's timing starts; null picks a default per scenario.</summary>
    public int? Warmup { get; init; }

    public int Events { get; init; } = 1_000;

    public int Capacity { get; init; } = 100;

    /// <summary>An existing PostgreSQL server to use instead of starting a private one.</summary>
    public string? Connection { get; init; }

    public IReadOnlySet<string> Scenarios { get; init; } = new HashSet<string>(AllScenarios);

    /// <summary>Arrivals per second offered in the open-loop scenario; null: half the ceiling measured in the same run.</summary>
    public double? OpenLoopRate { get; init; }

    /// <summary>How long the open-loop scenario offers arrivals, on each of its two shapes (hot, then spread).</summary>
    public TimeSpan OpenLoopDuration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Untimed load through the silo before its first scenario (the <c>SiloWarmup</c> class); zero skips it.</summary>
    public TimeSpan SiloWarmup { get; init; } = TimeSpan.FromSeconds(20);

    public bool Runs(string scenario) => Scenarios.Contains(scenario);

    /// <summary>
    /// The baseline only needs every client to open its connection, and it runs at ~100/s, so it keeps 3,000 timed
    /// requests. Ours run 20–40 times faster: 3,000 requests were a ~2 s window in which tiered JIT was still compiling
    /// (23 % of the CPU in the profile), so they get more requests, and a warm-up long enough to reach steady state.
    /// </summary>
    public int RequestsFor(string scenario) => Requests ?? scenario switch
    {
        Baseline => 3_000,
        Hot or Ceiling => 30_000,
        Mixed => 100_000,
        _ => 12_000,
    };

    /// <summary>
    /// Untimed requests before timing starts. The baseline's only open connections; ours also let tiered compilation
    /// settle (several seconds of load: tier-0 code is promoted in the background after 30 calls, and MassTransit and
    /// Orleans instantiate many generic paths). The spread scenario also activates all its grains before the warm-up.
    /// </summary>
    public int WarmupRequestsFor(string scenario) => Warmup ?? scenario switch
    {
        Baseline => Math.Max(Clients, 200),
        Hot or Ceiling => 15_000,
        Mixed => 30_000,
        _ => 6_000,
    };

    public static string Usage =>
        """
        Usage: dotnet run -c Release --project bench/Enrollment.Bench -- [options]
          --clients N        concurrent clients (default 256)
          --requests N       timed requests per scenario (default: baseline 3000, ceiling and hot 30000, mixed 100000, spread and http 12000)
          --duration S       run each scenario S seconds instead (still capped at --requests)
          --warmup N         untimed requests before each scenario (default: baseline max(clients, 200), ceiling and hot 15000,
                             mixed 30000, others 6000; for openloop, warm-up arrivals at its rate)
          --events N         events in the spread scenario (default 1000)
          --capacity N       seats per event; later enrollments are waitlisted (default 100)
          --connection CS    use this PostgreSQL instead of starting a private one
          --scenarios LIST   any of baseline,ceiling,hot,spread,mixed,http,activation,openloop (default: all), and growth
                             (only when named: throughput and memory against open events and waitlist length)
          --activation       add the activation measurements to a --scenarios subset
          --open-loop-rate N arrivals per second for openloop (default: half the ceiling of the same run)
          --open-loop-duration S  seconds of arrivals for openloop, on each shape (default 20)
          --silo-warmup S    seconds of untimed load through the silo before its first scenario, so tiered JIT has
                             settled (default 20; 0 skips it)
        """;

    /// <exception cref="FormatException">An unknown flag or a bad value; the message says which.</exception>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        var addActivation = false;
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{flag} needs a value.");
            options = flag switch
            {
                "--clients" => options with { Clients = Positive(flag, Value()) },
                "--requests" => options with { Requests = Positive(flag, Value()) },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(Positive(flag, Value())) },
                "--warmup" => options with { Warmup = NonNegative(flag, Value()) },
                "--events" => options with { Events = Positive(flag, Value()) },
                "--capacity" => options with { Capacity = NonNegative(flag, Value()) },
                "--connection" => options with { Connection = Value() },
                "--scenarios" => options with { Scenarios = ParseScenarios(Value()) },
                "--open-loop-rate" => options with { OpenLoopRate = Positive(flag, Value()) },
                "--open-loop-duration" => options with { OpenLoopDuration = TimeSpan.FromSeconds(Positive(flag, Value())) },
                "--silo-warmup" => options with { SiloWarmup = TimeSpan.FromSeconds(NonNegative(flag, Value())) },
                "--activation" => options,
                _ => throw new FormatException($"Unknown option '{flag}'."),
            };
            addActivation |= flag == "--activation";
        }

        if (addActivation)
        {
            options = options with { Scenarios = new HashSet<string>(options.Scenarios) { Activation } };
        }

        // The open loop offers a rate derived from the ceiling; without it, the rate must be given.
        return options.Runs(OpenLoop) && !options.Runs(Ceiling) && options.OpenLoopRate is null
            ? throw new FormatException("openloop needs ceiling in the same run, or --open-loop-rate N.")
            : options;
    }

    private static HashSet<string> ParseScenarios(string list)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(name => name.ToLowerInvariant())
            .ToHashSet();
        var unknown = names.Except(AllScenarios).Except(NamedOnly).ToList();
        if (unknown.Count > 0 || names.Count == 0)
        {
            throw new FormatException($"--scenarios takes a list of {string.Join(",", AllScenarios.Concat(NamedOnly))}; got '{list}'.");
        }

        return names;
    }

    private static int Positive(string flag, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new FormatException($"{flag} takes a positive whole number; got '{value}'.");

    private static int NonNegative(string flag, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"{flag} takes a whole number; got '{value}'.");
}
