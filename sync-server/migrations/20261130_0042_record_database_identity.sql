-- An installation upgrading to this version is the database it always was: record
-- it now, so its first start is not taken for the first start of a restored
-- database (which would move its sequences and MRNs ahead for nothing). A dump
-- taken from now on carries this row, and restored into another database it no
-- longer matches (ops/restored-database.ts, docs/architecture.md §7.5).
INSERT INTO ops_database_identity (database_oid)
SELECT oid FROM pg_database WHERE datname = current_database()
ON CONFLICT (only_row) DO NOTHING;
