-- What Orleans' ADO.NET providers (Microsoft.Orleans.Clustering.AdoNet, Microsoft.Orleans.Persistence.AdoNet) run on.
-- The providers ship no SQL that runs by itself: at start-up each reads `SELECT QueryKey, QueryText FROM OrleansQuery`,
-- refuses to start unless every key it knows is there, and then executes those texts with its own named parameters
-- (@DeploymentId, @GrainStateVersion, ...), reading result columns by name ("Version", "PayloadBinary", ...).
-- So the query keys, parameter names and result column names below are the providers' contract; the tables, and how
-- each query keeps its promise, are ours.

-- Unquoted on purpose: the providers spell it OrleansQuery (QueryKey, QueryText), which PostgreSQL folds to lower case.
CREATE TABLE OrleansQuery (
    QueryKey  text PRIMARY KEY,
    QueryText text NOT NULL
);

-- Cluster membership. The provider's "deployment id" is the ClusterId. Every change to a cluster's silo rows bumps the
-- cluster's version, and a change is made only if the version is the one the silo last read (optimistic
-- concurrency): that is how the membership protocol keeps silos from overwriting each other's view.
CREATE TABLE orleans_membership_versions (
    cluster_id text        PRIMARY KEY,
    version    integer     NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT now()
);

-- A silo is its address, port and generation (its start time in ticks), so a restarted silo is a new row.
-- status holds Orleans' SiloStatus (3 = Active, 6 = Dead); proxy_port is the gateway port (0 = not a gateway).
-- suspect_times is the provider's own "silo,time|silo,time" list of who suspected this silo when.
CREATE TABLE orleans_silos (
    cluster_id      text        NOT NULL REFERENCES orleans_membership_versions (cluster_id) ON DELETE CASCADE,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL,
    proxy_port      integer     NOT NULL,
    suspect_times   text,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (cluster_id, address, port, generation)
);

-- Grain state of the ADO.NET grain storage (the default storage and "PubSubStore"). A grain is identified by the
-- service, its type and its key: two 64-bit halves for integer and GUID keys, the key text (or a key extension) for the
-- rest; '' stands for "no extension" so the primary key needs no nullable column. version is the ETag: a write or clear
-- succeeds only against the version the grain last read, and bumps it.
CREATE TABLE orleans_grain_state (
    service_id         text        NOT NULL,
    grain_type         text        NOT NULL,
    grain_id_n0        bigint      NOT NULL,
    grain_id_n1        bigint      NOT NULL,
    grain_id_extension text        NOT NULL,
    payload            bytea,
    version            integer     NOT NULL,
    changed_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension)
);

-- Membership queries ------------------------------------------------------------------------------------------------

-- Answers one row, one boolean: whether this call created the cluster's version row.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipVersionKey', $query$
WITH created AS (
    INSERT INTO orleans_membership_versions (cluster_id) VALUES (@DeploymentId)
    ON CONFLICT (cluster_id) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM created)
$query$);

-- The version row always comes back, with or without silos (the provider reads the version from the first row and
-- takes a row without StartTime for "no silo").
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadAllKey', $query$
SELECT v.version AS "Version",
       s.address AS "Address", s.port AS "Port", s.generation AS "Generation",
       s.silo_name AS "SiloName", s.host_name AS "HostName", s.status AS "Status", s.proxy_port AS "ProxyPort",
       s.suspect_times AS "SuspectTimes", s.start_time AS "StartTime", s.i_am_alive_time AS "IAmAliveTime"
FROM orleans_membership_versions v
LEFT JOIN orleans_silos s ON s.cluster_id = v.cluster_id
WHERE v.cluster_id = @DeploymentId
$query$);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadRowKey', $query$
SELECT v.version AS "Version",
       s.address AS "Address", s.port AS "Port", s.generation AS "Generation",
       s.silo_name AS "SiloName", s.host_name AS "HostName", s.status AS "Status", s.proxy_port AS "ProxyPort",
       s.suspect_times AS "SuspectTimes", s.start_time AS "StartTime", s.i_am_alive_time AS "IAmAliveTime"
FROM orleans_membership_versions v
LEFT JOIN orleans_silos s
       ON s.cluster_id = v.cluster_id AND s.address = @Address AND s.port = @Port AND s.generation = @Generation
WHERE v.cluster_id = @DeploymentId
$query$);

-- The version is bumped first: that UPDATE takes the version row's lock, so of two silos writing against the same
-- version the second waits, finds the version moved on, and changes nothing (answering false, so it re-reads).
-- A silo row that already exists also answers false; the version bump it leaves only makes others re-read.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipKey', $query$
WITH bumped AS (
    UPDATE orleans_membership_versions SET version = version + 1, changed_at = now()
    WHERE cluster_id = @DeploymentId AND version = @Version
    RETURNING cluster_id
), inserted AS (
    INSERT INTO orleans_silos (cluster_id, address, port, generation, silo_name, host_name, status, proxy_port,
                               start_time, i_am_alive_time)
    SELECT cluster_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
    FROM bumped
    ON CONFLICT (cluster_id, address, port, generation) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM inserted)
$query$);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateMembershipKey', $query$
WITH bumped AS (
    UPDATE orleans_membership_versions SET version = version + 1, changed_at = now()
    WHERE cluster_id = @DeploymentId AND version = @Version
    RETURNING cluster_id
), updated AS (
    UPDATE orleans_silos s
    SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
    FROM bumped
    WHERE s.cluster_id = bumped.cluster_id AND s.address = @Address AND s.port = @Port AND s.generation = @Generation
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM updated)
$query$);

-- The heartbeat: not a membership change, so no version bump (other silos need not re-read for it).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateIAmAlivetimeKey', $query$
UPDATE orleans_silos SET i_am_alive_time = @IAmAliveTime
WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$query$);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteMembershipTableEntriesKey', $query$
DELETE FROM orleans_membership_versions WHERE cluster_id = @DeploymentId
$query$);

-- Removes rows of silos long gone. An Active row is never removed here, however old its heartbeat: declaring a silo
-- dead is the membership protocol's decision, not a clock's.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntriesKey', $query$
DELETE FROM orleans_silos
WHERE cluster_id = @DeploymentId AND i_am_alive_time < @IAmAliveTime AND status <> 3
$query$);

-- What clients connect to: the gateways of silos in the given status (the provider asks for Active).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('GatewaysQueryKey', $query$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
FROM orleans_silos
WHERE cluster_id = @DeploymentId AND status = @Status AND proxy_port > 0
$query$);

-- Grain storage queries ---------------------------------------------------------------------------------------------
-- The provider also sends @GrainIdHash and @GrainTypeHash; the primary key makes lookups direct, so they go unused.

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', $query$
SELECT payload AS "PayloadBinary", version AS "Version"
FROM orleans_grain_state
WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_id_extension = coalesce(@GrainIdExtensionString, '')
$query$);

-- A grain without an ETag creates its row (version 1); one with an ETag updates the row only at that version. Either
-- way the new version comes back as "NewGrainStateVersion"; no row back means a conflict, which the provider reports
-- as an InconsistentStateException.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', $query$
WITH updated AS (
    UPDATE orleans_grain_state
    SET payload = @PayloadBinary, version = version + 1, changed_at = now()
    WHERE @GrainStateVersion IS NOT NULL AND version = @GrainStateVersion
      AND service_id = @ServiceId AND grain_type = @GrainTypeString
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_id_extension = coalesce(@GrainIdExtensionString, '')
    RETURNING version
), created AS (
    INSERT INTO orleans_grain_state (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension, payload, version)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, coalesce(@GrainIdExtensionString, ''), @PayloadBinary, 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension) DO NOTHING
    RETURNING version
)
SELECT version AS "NewGrainStateVersion" FROM updated
UNION ALL
SELECT version FROM created
$query$);

-- Clearing keeps the row (without state) so the version goes on rising: a stale writer still finds its ETag outdated.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', $query$
UPDATE orleans_grain_state
SET payload = NULL, version = version + 1, changed_at = now()
WHERE version = @GrainStateVersion
  AND service_id = @ServiceId AND grain_type = @GrainTypeString
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_id_extension = coalesce(@GrainIdExtensionString, '')
RETURNING version
$query$);

-- Only read when a storage is configured with DeleteStateOnClear; answers the deleted version + 1, as the provider expects.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', $query$
DELETE FROM orleans_grain_state
WHERE version = @GrainStateVersion
  AND service_id = @ServiceId AND grain_type = @GrainTypeString
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_id_extension = coalesce(@GrainIdExtensionString, '')
RETURNING version + 1
$query$);
