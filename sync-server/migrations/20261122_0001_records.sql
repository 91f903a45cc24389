-- Every replicated collection is one table of the same shape: the record as
-- JSON (validated by the shared zod schema before it is written), the sites it
-- belongs to, and a change sequence number for replication checkpoints.
--
-- Writes to a site are serialised by a transaction-scoped advisory lock on the
-- site (see sync/store.ts), and `seq` is taken inside that lock, so within a
-- site seq values become visible in the order they were taken: a pull with
-- `seq > checkpoint` never skips a row that commits late.

CREATE SEQUENCE change_seq AS bigint;

CREATE FUNCTION create_record_table(name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format($f$
    CREATE TABLE %1$I (
      id uuid PRIMARY KEY,
      site_ids uuid[] NOT NULL,
      seq bigint NOT NULL UNIQUE,
      deleted boolean NOT NULL DEFAULT false,
      doc jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX %2$I ON %1$I USING gin (site_ids);
    CREATE INDEX %3$I ON %1$I (seq);
  $f$, name, name || '_site_ids_idx', name || '_seq_idx');
END $$;

SELECT create_record_table(t) FROM unnest(ARRAY[
  'sites', 'providers', 'rooms', 'schedules', 'patients', 'appointments', 'queue_entries'
]) AS t;

DROP FUNCTION create_record_table(text);

-- Query helpers for the API and the server's own rules.
CREATE INDEX appointments_start_idx ON appointments ((doc->>'start'));
CREATE INDEX appointments_provider_start_idx ON appointments ((doc->>'providerId'), (doc->>'start'));
CREATE INDEX appointments_patient_idx ON appointments ((doc->>'patientId'));
CREATE INDEX queue_entries_checked_in_idx ON queue_entries ((doc->>'checkedInAt'));
CREATE INDEX patients_identity_idx ON patients (lower(doc->>'familyName'), (doc->>'dob'));
CREATE UNIQUE INDEX patients_mrn_idx ON patients ((doc->>'mrn')) WHERE doc->>'mrn' IS NOT NULL;

-- MRNs are handed out by the server only, from one sequence, so they never collide.
CREATE SEQUENCE mrn_seq AS bigint START 100001;
