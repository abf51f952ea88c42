-- Ekm.Orleans: the shared part of the Orleans ADO.NET schema for PostgreSQL.
-- Written for this project to the Orleans ADO.NET contract: providers read their statements
-- from OrleansQuery by key at start, bind parameters by name (@Name) and read result columns
-- by name. Unquoted identifiers fold to lower case; Npgsql matches column names without regard
-- to case, so the providers find them. Every statement in these files is idempotent: apply
-- 01..04 in name order, on every deployment, as often as you like.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  text NOT NULL PRIMARY KEY,
    QueryText text NOT NULL
);
