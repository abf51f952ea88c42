-- Ekm.Orleans: Orleans ADO.NET clustering (membership) for PostgreSQL. Idempotent; re-running it
-- refreshes the stored statements.
--
-- Contract (Orleans.Clustering.AdoNet 10.4):
--   parameters  @DeploymentId (the cluster id) @Address @Port @Generation @SiloName @HostName
--               @Status @ProxyPort @SuspectTimes @StartTime @IAmAliveTime @Version
--               times arrive as UTC timestamptz; @Version is the table version the caller read
--   reads       return Version plus, per silo, Address Port Generation SiloName HostName Status
--               ProxyPort SuspectTimes StartTime IAmAliveTime; always at least the version row
--   writes      insert/update return one boolean: false when the table version moved meanwhile
--   gateways    return Address ProxyPort Generation of the silos in @Status (Active)
--
-- One version row per cluster guards every membership change (optimistic concurrency on the
-- whole table); "I am alive" heartbeats and clean-up of dead silos leave it alone.

CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId text        NOT NULL PRIMARY KEY,
    ModifiedOn   timestamptz NOT NULL DEFAULT now(),
    Version      integer     NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId text        NOT NULL REFERENCES OrleansMembershipVersionTable (DeploymentId),
    Address      text        NOT NULL,
    Port         integer     NOT NULL,
    Generation   integer     NOT NULL,
    SiloName     text        NOT NULL,
    HostName     text        NOT NULL,
    Status       integer     NOT NULL,
    ProxyPort    integer     NOT NULL,
    SuspectTimes text        NULL,
    StartTime    timestamptz NOT NULL,
    IAmAliveTime timestamptz NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipVersionKey', '
WITH inserted AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (@DeploymentId)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM inserted);
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- The version row is locked and bumped first, so concurrent writers queue on it and only the
-- one holding the version it read gets through; the membership row changes only when it did.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipKey', '
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
       SET Version = Version + 1,
           ModifiedOn = now()
     WHERE DeploymentId = @DeploymentId
       AND Version = @Version
       AND NOT EXISTS (
           SELECT 1 FROM OrleansMembershipTable
            WHERE DeploymentId = @DeploymentId
              AND Address = @Address AND Port = @Port AND Generation = @Generation)
    RETURNING DeploymentId
), inserted AS (
    INSERT INTO OrleansMembershipTable
           (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort,
            StartTime, IAmAliveTime)
    SELECT DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
           @StartTime, @IAmAliveTime
      FROM bumped
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM inserted);
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateMembershipKey', '
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
       SET Version = Version + 1,
           ModifiedOn = now()
     WHERE DeploymentId = @DeploymentId
       AND Version = @Version
       AND EXISTS (
           SELECT 1 FROM OrleansMembershipTable
            WHERE DeploymentId = @DeploymentId
              AND Address = @Address AND Port = @Port AND Generation = @Generation)
    RETURNING DeploymentId
), updated AS (
    UPDATE OrleansMembershipTable AS m
       SET Status = @Status,
           SuspectTimes = @SuspectTimes,
           IAmAliveTime = @IAmAliveTime
      FROM bumped
     WHERE m.DeploymentId = bumped.DeploymentId
       AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM updated);
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateIAmAlivetimeKey', '
UPDATE OrleansMembershipTable
   SET IAmAliveTime = @IAmAliveTime
 WHERE DeploymentId = @DeploymentId
   AND Address = @Address AND Port = @Port AND Generation = @Generation;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- The outer join keeps the version row in the answer when the silo has no row (yet).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadRowKey', '
SELECT v.Version,
       m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime
  FROM OrleansMembershipVersionTable AS v
  LEFT JOIN OrleansMembershipTable AS m
         ON m.DeploymentId = v.DeploymentId
        AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
 WHERE v.DeploymentId = @DeploymentId;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadAllKey', '
SELECT v.Version,
       m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime
  FROM OrleansMembershipVersionTable AS v
  LEFT JOIN OrleansMembershipTable AS m
         ON m.DeploymentId = v.DeploymentId
 WHERE v.DeploymentId = @DeploymentId;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('GatewaysQueryKey', '
SELECT Address, ProxyPort, Generation
  FROM OrleansMembershipTable
 WHERE DeploymentId = @DeploymentId
   AND Status = @Status
   AND ProxyPort > 0;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteMembershipTableEntriesKey', '
DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- Status 6 is SiloStatus.Dead. The provider runs this bulk form only when the next key is absent.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntriesKey', '
DELETE FROM OrleansMembershipTable
 WHERE DeploymentId = @DeploymentId
   AND Status = 6
   AND IAmAliveTime < @IAmAliveTime;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- Optional in 10.4: with it the provider reads the table, picks the dead silos past the cut-off
-- and deletes each one only if the row still holds the values it read. It passes the suspect
-- list as NULL when the row held an empty string, so the two compare equal here.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntryKey', '
DELETE FROM OrleansMembershipTable
 WHERE DeploymentId = @DeploymentId
   AND Address = @Address AND Port = @Port AND Generation = @Generation
   AND Status = 6
   AND StartTime = @StartTime
   AND IAmAliveTime = @IAmAliveTime
   AND COALESCE(SuspectTimes, '''') = COALESCE(@SuspectTimes, '''');
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
