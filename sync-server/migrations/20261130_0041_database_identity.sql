-- Which database the server last ran on (docs/architecture.md §7.5). A database
-- restored from a dump is a new database with another oid: on its first start
-- the server sees the difference and moves its sequences past every position
-- devices and readers may already hold (ops/restored-database.ts). Emptying
-- this table makes the next start take that step (after a restore of another
-- kind, such as point-in-time recovery into the same database).
CREATE TABLE ops_database_identity (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  database_oid oid NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  -- When this server last took over a restored database; null if never.
  restored_at timestamptz
);
