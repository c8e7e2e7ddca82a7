using System.Diagnostics;

namespace OrleansEnrollment.Bench;

/// <summary>
/// The real web frontend (with its co-hosted silo) as a child process on free loopback ports, on the bench's database.
/// Disposing kills it: the bench owns this process and nothing else.
/// </summary>
public sealed class WebFrontendProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private const int KeptOutputLines = 40;

    private readonly Process process;
    private readonly Queue<string> lastOutput = new();

    private WebFrontendProcess(Process process, Uri baseAddress)
    {
        this.process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<WebFrontendProcess> StartAsync(string connectionString)
    {
        var root = RepositoryLayout.FindRoot();
        var dll = RepositoryLayout.WebFrontendDll(root);
        if (!File.Exists(dll))
        {
            await BuildAsync(root);
        }

        var ports = FreePorts.Take(3);
        var baseAddress = new Uri($"http://127.0.0.1:{ports[0]}");
        var start = new ProcessStartInfo("dotnet")
        {
            // Its own bin folder is its content root, where its appsettings.json and wwwroot are.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Enrollment"] = connectionString;
        start.Environment["Orleans__SiloPort"] = ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Orleans__GatewayPort"] = ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Every bench user signs in from 127.0.0.1; the per-address limit would otherwise refuse all but a few.
        start.Environment["Enrollment__SignIn__AttemptsPerMinutePerNetwork"] = "1000000";
        // It speaks plain HTTP on a loopback port; the users it signs in were created confirmed (BenchUsers).
        start.Environment["Site__PublicBaseUrl"] = baseAddress.ToString();
        start.Environment["Site__RequireHttps"] = "false";
        // Production wants a cluster certificate (its co-hosted silo talks TLS) and one for the key ring.
        var certificate = Path.Combine(Path.GetTempPath(), "orleans-enrollment-bench", $"certificate-{Guid.NewGuid():N}.pfx");
        OrleansEnrollment.Hosting.SelfSignedCertificate.WritePkcs12(OrleansEnrollment.Hosting.SelfSignedCertificate.Create("bench.enrollment.localhost"), certificate, null);
        start.Environment["Orleans__Tls__CertificatePath"] = certificate;
        start.Environment["DataProtection__CertificatePath"] = certificate;

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the web frontend.");
        var web = new WebFrontendProcess(process, baseAddress);
        // Read continuously: a full pipe would block the child's logging, and with it the child.
        process.OutputDataReceived += (_, line) => web.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => web.Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await web.WaitUntilHealthyAsync();
            return web;
        }
        catch
        {
            await web.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The web frontend exited with code {process.ExitCode} while starting.{Output()}");
            }

            try
            {
                using var response = await http.GetAsync("/health");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The web frontend did not answer /health within {StartTimeout.TotalSeconds:F0} s.{Output()}");
    }

    private static async Task BuildAsync(string root)
    {
        Console.WriteLine($"  http: building the web frontend ({RepositoryLayout.Configuration}) first");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        foreach (var argument in new[] { "build", RepositoryLayout.WebFrontendProject(root), "-c", RepositoryLayout.Configuration, "--nologo", "-v", "q" })
        {
            start.ArgumentList.Add(argument);
        }

        using var build = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet build.");
        await build.WaitForExitAsync();
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"Building the web frontend failed (exit code {build.ExitCode}).");
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (lastOutput)
        {
            lastOutput.Enqueue(line);
            if (lastOutput.Count > KeptOutputLines)
            {
                lastOutput.Dequeue();
            }
        }
    }

    private string Output()
    {
        lock (lastOutput)
        {
            return lastOutput.Count == 0 ? "" : Environment.NewLine + "Its last output:" + Environment.NewLine + string.Join(Environment.NewLine, lastOutput);
        }
    }
}
