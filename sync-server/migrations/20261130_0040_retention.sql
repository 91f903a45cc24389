-- Retention (docs/architecture.md §7.5): what only grows (the audit log, the
-- webhook outbox and its delivery log, stored Idempotency-Key answers) is
-- removed or archived by scheduled jobs that every instance may run at once.

-- Audit events past their retention period move here, in the same transaction
-- that removes them from audit_events, so a crash never loses or doubles one.
-- Same columns as audit_events (a column added there is added here in the same
-- migration), plus when it was archived. No secondary indexes: it is read
-- rarely (an investigation, an export to cold storage) and written in batches.
CREATE TABLE audit_archive (
  id bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_kind text NOT NULL,
  actor_id text,
  actor_role text,
  site_id uuid,
  action text NOT NULL,
  collection text,
  record_ids uuid[] NOT NULL,
  record_count integer NOT NULL,
  via text NOT NULL,
  ip text,
  user_agent text,
  details jsonb NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT now()
);

-- Archived history is not rewritten either. Removing archived rows (after an
-- export to cold storage) is the operator's decision and stays possible.
CREATE FUNCTION audit_archive_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_archive rows are not updated';
END $$;
CREATE TRIGGER audit_archive_no_update BEFORE UPDATE ON audit_archive
  FOR EACH ROW EXECUTE FUNCTION audit_archive_no_update();

-- audit_events stays append-only for everyone but the retention job, which
-- announces itself for its own transaction only (SET LOCAL). Updates are
-- never allowed. Anyone able to set this could also drop the trigger: it
-- guards against mistakes in application code, not against the database owner.
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('medisync.audit_retention', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only';
END $$;

-- The jobs find old rows by time. audit_events is appended in time order, so a
-- BRIN index (a few pages for years of rows, next to nothing per insert) finds
-- its oldest rows without reading the rest.
CREATE INDEX audit_events_at_brin ON audit_events USING brin (at);
CREATE INDEX webhook_events_created_idx ON webhook_events (created_at);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
