using Microsoft.Playwright;

namespace OrleansEnrollment.Tests.Browser;

/// <summary>
/// Pictures of the main pages, taken by every run of the browser tests: into TestResults/screenshots, or into the
/// docs' own folder when <c>ENROLLMENT_UPDATE_SCREENSHOTS=1</c> (so a plain test run leaves the work tree clean).
/// </summary>
public static class Screenshots
{
    public const string UpdateVariable = "ENROLLMENT_UPDATE_SCREENSHOTS";

    private static readonly Lazy<string> Folder = new(() => Environment.GetEnvironmentVariable(UpdateVariable) == "1"
        ? Path.Combine(RepositoryRoot(), "docs", "screenshots")
        : Path.Combine(RepositoryRoot(), "TestResults", "screenshots"));

    /// <param name="fullPage">For short pages whose point is below the fold; lists of every event stay at one screen.</param>
    public static async Task SaveAsync(IPage page, string name, bool fullPage = false)
    {
        Directory.CreateDirectory(Folder.Value);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder.Value, name + ".png"), FullPage = fullPage });
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Orleans.Enrollment.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Orleans.Enrollment.sln above {AppContext.BaseDirectory}.");
    }
}
