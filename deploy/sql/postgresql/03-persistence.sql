-- Ekm.Orleans: Orleans ADO.NET grain persistence for PostgreSQL. Idempotent; re-running it
-- refreshes the stored statements.
--
-- Contract (Orleans.Persistence.AdoNet 10.4):
--   parameters  @GrainIdHash (int) @GrainIdN0 @GrainIdN1 (bigint) @GrainTypeHash (int)
--               @GrainTypeString @GrainIdExtensionString (NULL for a key without extension)
--               @ServiceId @GrainStateVersion (int, NULL before the first write) @PayloadBinary
--   read        returns PayloadBinary, Version
--   write/clear return NewGrainStateVersion, or no row when the caller's version is stale
--               (the provider then raises InconsistentStateException)
--   delete      (DeleteStateOnClear) returns the deleted version + 1 the same way
--
-- GrainTypeString carries the state name, so one row per (service, state name, grain key).
-- The unique index makes that a fact rather than a hope: two first writes racing for one key
-- cannot both insert. It tells a NULL extension from an empty one, and leads with the hashes
-- so lookups use it too.

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer     NOT NULL,
    GrainIdN0              bigint      NOT NULL,
    GrainIdN1              bigint      NOT NULL,
    GrainTypeHash          integer     NOT NULL,
    GrainTypeString        text        NOT NULL,
    GrainIdExtensionString text        NULL,
    ServiceId              text        NOT NULL,
    PayloadBinary          bytea       NULL,
    ModifiedOn             timestamptz NOT NULL,
    Version                integer     NOT NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS UX_OrleansStorage_Key ON OrleansStorage
    (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId, GrainTypeString,
     (COALESCE(GrainIdExtensionString, '')), (GrainIdExtensionString IS NULL));

-- Exactly one of the two statements can apply: an update when the caller holds a version, an
-- insert when it holds none. The insert yields no row when the key exists already (the unique
-- index), which the provider reports as a conflict like a stale version.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
UPDATE OrleansStorage
   SET PayloadBinary = @PayloadBinary,
       ModifiedOn = now(),
       Version = Version + 1
 WHERE @GrainStateVersion IS NOT NULL
   AND GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
   AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
   AND ServiceId = @ServiceId
   AND GrainTypeString = @GrainTypeString
   AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
   AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;

INSERT INTO OrleansStorage
       (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
        GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
       @GrainIdExtensionString, @ServiceId, @PayloadBinary, now(), 1
 WHERE @GrainStateVersion IS NULL
ON CONFLICT DO NOTHING
RETURNING Version AS NewGrainStateVersion;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT PayloadBinary, Version
  FROM OrleansStorage
 WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
   AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
   AND ServiceId = @ServiceId
   AND GrainTypeString = @GrainTypeString
   AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- Clearing keeps the row (payload NULL, version bumped) so a stale writer still conflicts.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
UPDATE OrleansStorage
   SET PayloadBinary = NULL,
       ModifiedOn = now(),
       Version = Version + 1
 WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
   AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
   AND ServiceId = @ServiceId
   AND GrainTypeString = @GrainTypeString
   AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
   AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- Delete answers with version + 1 so the provider can tell success from a stale version.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', '
DELETE FROM OrleansStorage
 WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
   AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
   AND ServiceId = @ServiceId
   AND GrainTypeString = @GrainTypeString
   AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
   AND Version = @GrainStateVersion
RETURNING Version + 1 AS NewGrainStateVersion;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
