using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Cluster;

/// <summary>
/// Orleans' own ADO.NET grain storage provider, as a silo registers it, running the queries of migration 0007: state
/// round-trips (a contract record as the state) and the ETag refuses stale writers. Nothing of ours stores grain state yet, so this is where it is proven.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class GrainStorageTests(PostgresFixture database)
{
    [Theory]
    [InlineData("Default")]
    [InlineData("PubSubStore")]
    public async Task State_round_trips_and_a_stale_etag_is_refused(string storageName)
    {
        await using var cluster = await EnrollmentTestCluster.StartAsync(database.ConnectionString, silos: 1);
        var storage = cluster.Silos[0].SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(storageName);

        foreach (var grainId in new[]
        {
            GrainId.Create("storage-test", $"key-{Guid.NewGuid():N}"),
            GrainId.Create(GrainType.Create("storage-test-guid"), GrainIdKeyExtensions.CreateGuidKey(Guid.NewGuid())),
        })
        {
            var missing = new GrainState<EnrollmentPolicy>();
            await storage.ReadStateAsync("state", grainId, missing);
            Assert.False(missing.RecordExists);
            Assert.Null(missing.ETag);

            var writer = new GrainState<EnrollmentPolicy> { State = new EnrollmentPolicy(1, false) };
            await storage.WriteStateAsync("state", grainId, writer);
            var firstETag = writer.ETag;
            Assert.NotNull(firstETag);

            // A second activation that never read the row cannot create it again.
            await Assert.ThrowsAsync<InconsistentStateException>(() =>
                storage.WriteStateAsync("state", grainId, new GrainState<EnrollmentPolicy> { State = new EnrollmentPolicy(99, false) }));

            writer.State = new EnrollmentPolicy(2, true);
            await storage.WriteStateAsync("state", grainId, writer);
            Assert.NotEqual(firstETag, writer.ETag);

            // A writer holding the old ETag is refused.
            await Assert.ThrowsAsync<InconsistentStateException>(() =>
                storage.WriteStateAsync("state", grainId, new GrainState<EnrollmentPolicy> { State = new EnrollmentPolicy(98, false), ETag = firstETag }));

            var read = new GrainState<EnrollmentPolicy>();
            await storage.ReadStateAsync("state", grainId, read);
            Assert.Equal((new EnrollmentPolicy(2, true), writer.ETag, true), (read.State, read.ETag, read.RecordExists));

            await storage.ClearStateAsync("state", grainId, read);
            var cleared = new GrainState<EnrollmentPolicy>();
            await storage.ReadStateAsync("state", grainId, cleared);
            Assert.False(cleared.RecordExists);
            Assert.Equal(read.ETag, cleared.ETag);

            // Writing again after a clear continues from the cleared version.
            cleared.State = new EnrollmentPolicy(3, false);
            await storage.WriteStateAsync("state", grainId, cleared);
            var again = new GrainState<EnrollmentPolicy>();
            await storage.ReadStateAsync("state", grainId, again);
            Assert.Equal(new EnrollmentPolicy(3, false), again.State);
        }
    }
}
