using Npgsql;
using OrleansEnrollment.Database;

namespace OrleansEnrollment.Tests.Database;

public sealed class EnrollmentDataSourceTests
{
    private const string Server = "Host=127.0.0.1;Port=5432;Username=enrollment;Database=enrollment";

    [Fact]
    public async Task Statements_are_prepared_and_the_pool_is_bounded_by_default()
    {
        await using var dataSource = EnrollmentDataSource.Create(Server);

        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal(EnrollmentDataSource.DefaultMaxAutoPrepare, settings.MaxAutoPrepare);
        Assert.Equal(EnrollmentDataSource.DefaultMaxPoolSize, settings.MaxPoolSize);
    }

    [Theory]
    [InlineData("Maximum Pool Size=7;Max Auto Prepare=0")]
    [InlineData("maxpoolsize=7;MaxAutoPrepare=0")]
    [InlineData("maximum pool size=7;max auto prepare=0")]
    public async Task What_the_connection_string_says_wins(string given)
    {
        await using var dataSource = EnrollmentDataSource.Create($"{Server};{given}");

        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal(0, settings.MaxAutoPrepare);
        Assert.Equal(7, settings.MaxPoolSize);
    }
}
