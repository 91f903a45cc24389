-- The last change a restored backup holds (docs/architecture.md §7.5): devices
-- send again what they wrote since, which the restore lost, and the server's
-- merge makes that harmless for what it kept. Null until a restore is taken over.
ALTER TABLE ops_database_identity ADD COLUMN restored_through timestamptz;
