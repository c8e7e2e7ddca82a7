using System.Reflection;

namespace OrleansEnrollment.Tests.Topology;

/// <summary>
/// Where the build put the apps. The test project references both app projects, so building it (as scripts/test.sh
/// does, through the solution) builds them too; the test runs those outputs and compiles nothing itself.
/// </summary>
public static class BuiltApps
{
    public static string Silo => Find("Silo", "Orleans.Enrollment.Silo.dll");

    public static string WebFrontend => Find("WebFrontend", "Orleans.Enrollment.WebFrontend.dll");

    private static string Find(string project, string assembly)
    {
        // Same configuration as this test assembly (Debug or Release), from the same checkout.
        var configuration = typeof(BuiltApps).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var path = Path.Combine(RepositoryRoot(), "src", project, "bin", configuration, "net10.0", assembly);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{assembly} is not built at {path}; build the solution first (scripts/test.sh does).", path);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.Enrollment.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Orleans.Enrollment.sln above {AppContext.BaseDirectory}.");
    }
}
