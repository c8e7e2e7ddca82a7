namespace OrleansEnrollment.Tests;

/// <summary>This project's definition of <see cref="Infrastructure.DatabaseCollection"/> (xunit reads it from the test's own assembly).</summary>
[CollectionDefinition(Infrastructure.DatabaseCollection.Name)]
public sealed class DatabaseCollectionDefinition : ICollectionFixture<Infrastructure.PostgresFixture>;
