using System.Reflection;

namespace OrleansEnrollment.Bench;

/// <summary>Where the checkout is and which build of the web frontend goes with this build of the bench.</summary>
public static class RepositoryLayout
{
    public const string SolutionFile = "Orleans.Enrollment.sln";

    /// <summary>The bench's own build configuration (Release or Debug): the web frontend is run from the same one.</summary>
    public static string Configuration =>
        typeof(RepositoryLayout).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    /// <summary>The folder holding the solution file, found upwards from the bench's binaries.</summary>
    public static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, SolutionFile)))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No {SolutionFile} above {AppContext.BaseDirectory}: run the bench from its checkout.");
    }

    public static string WebFrontendProject(string root) => Path.Combine(root, "src", "WebFrontend", "WebFrontend.csproj");

    public static string WebFrontendDll(string root) =>
        Path.Combine(root, "src", "WebFrontend", "bin", Configuration, "net10.0", "Orleans.Enrollment.WebFrontend.dll");
}
