-- Staff notices (docs/architecture.md §9.6): the replicated `notices` collection,
-- written by the server, read by staff devices only. The shape of every record
-- table (docs/architecture.md §2.5), with the read paths of migration 0007.
CREATE TABLE notices (
  id uuid PRIMARY KEY,
  site_ids uuid[] NOT NULL,
  seq bigint NOT NULL UNIQUE,
  deleted boolean NOT NULL DEFAULT false,
  doc jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notices_site_ids_idx ON notices USING gin (site_ids);
CREATE INDEX notices_seq_idx ON notices (seq);
CREATE INDEX notices_site_seq_idx ON notices (site_ids, seq);
CREATE INDEX notices_multi_site_seq_idx ON notices (seq) WHERE cardinality(site_ids) > 1;
