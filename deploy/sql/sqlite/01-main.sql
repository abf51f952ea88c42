-- Ekm.Orleans: the shared part of the Orleans ADO.NET schema for SQLite.
-- Written for this project to the Orleans ADO.NET contract: providers read their statements
-- from OrleansQuery by key, bind parameters by name and read result columns by name.
-- Every statement here is idempotent, so the host applies this file on every start.

-- WAL lets readers proceed while one writer commits; the mode is stored in the file itself.
PRAGMA journal_mode = WAL;

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);
