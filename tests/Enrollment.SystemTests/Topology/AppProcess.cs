using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrleansEnrollment.Tests.Topology;

/// <summary>
/// One of the system's apps (the silo host, the web frontend) run as its own process from its build output, the way a
/// container runs it. Its output is kept for the test to wait on and to show when something fails; disposing kills it.
/// </summary>
public sealed class AppProcess : IDisposable
{
    private const int KeptLines = 400;

    private readonly Process process;
    private readonly ConcurrentQueue<string> lines = new();

    private AppProcess(string name, Process process)
    {
        Name = name;
        this.process = process;
    }

    public string Name { get; }

    public bool HasExited => process.HasExited;

    /// <param name="settings">Environment variables, the way docker compose passes configuration.</param>
    public static AppProcess Start(string name, string assemblyPath, IReadOnlyDictionary<string, string> settings)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The app's own folder is its content root, so it finds its appsettings.json as it would in a container.
            WorkingDirectory = Path.GetDirectoryName(assemblyPath)!,
        };
        startInfo.ArgumentList.Add(assemblyPath);
        foreach (var (key, value) in settings)
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var app = new AppProcess(name, process);
        process.OutputDataReceived += (_, e) => app.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => app.Keep(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app;
    }

    /// <summary>Waits until the app has printed a line containing <paramref name="text"/>; fails if it exits first or time runs out.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!lines.Any(line => line.Contains(text, StringComparison.Ordinal)))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {process.ExitCode} before printing '{text}'.{Environment.NewLine}{Output()}");
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"{Name} did not print '{text}' within {timeout.TotalSeconds:0} s.{Environment.NewLine}{Output()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Ends the process at once, as a crash or an OOM kill would: no graceful shutdown, no goodbye to the cluster.</summary>
    public void Kill()
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        process.WaitForExit(10_000);
    }

    /// <summary>The last lines the app printed, for a failure message.</summary>
    public string Output() => $"--- {Name} output (last {KeptLines} lines) ---{Environment.NewLine}{string.Join(Environment.NewLine, lines)}";

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lines.Enqueue(line);
        while (lines.Count > KeptLines && lines.TryDequeue(out _))
        {
        }
    }
}
