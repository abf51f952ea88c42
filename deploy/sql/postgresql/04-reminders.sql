-- Ekm.Orleans: Orleans ADO.NET reminders for PostgreSQL. Idempotent; re-running it refreshes the
-- stored statements.
--
-- Contract (Orleans.Reminders.AdoNet 10.4):
--   parameters  @ServiceId @GrainId (the grain id as text) @ReminderName @StartTime (UTC
--               timestamptz) @Period (milliseconds: int, bigint past 24.8 days) @Version
--               @GrainHash @BeginHash @EndHash (the uint ring hash cast to int, so negative
--               values are normal)
--   reads       return GrainId ReminderName StartTime Period Version
--   upsert      returns the new Version (the reminder's ETag)
--   delete      returns one boolean: false when the caller's Version is stale
--
-- The silo asks for the reminders on its hash range: ReadRangeRows1Key when the range does not
-- wrap in signed order (begin < end), ReadRangeRows2Key when it wraps; both exclude begin and
-- include end.

CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    text        NOT NULL,
    GrainId      text        NOT NULL,
    ReminderName text        NOT NULL,
    StartTime    timestamptz NOT NULL,
    Period       bigint      NOT NULL,
    GrainHash    integer     NOT NULL,
    Version      integer     NOT NULL,
    PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

CREATE INDEX IF NOT EXISTS IX_OrleansRemindersTable_GrainHash
    ON OrleansRemindersTable (ServiceId, GrainHash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpsertReminderRowKey', '
INSERT INTO OrleansRemindersTable
       (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 1)
ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
   SET StartTime = EXCLUDED.StartTime,
       Period = EXCLUDED.Period,
       GrainHash = EXCLUDED.GrainHash,
       Version = OrleansRemindersTable.Version + 1
RETURNING Version;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowKey', '
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowsKey', '
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId AND GrainId = @GrainId;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows1Key', '
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId
   AND GrainHash > @BeginHash AND GrainHash <= @EndHash;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows2Key', '
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId
   AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowKey', '
WITH deleted AS (
    DELETE FROM OrleansRemindersTable
     WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName
       AND Version = @Version
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM deleted);
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowsKey', '
DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
