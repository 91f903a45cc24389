-- Read paths whose cost must not grow with a site's history.
--
-- Pulls and "the site's last seq" read a site's rows in seq order. The GIN index
-- on site_ids finds a site's rows but not in order, so a page read through it
-- sorts every row still to come. A btree on (site_ids, seq) serves the rows of
-- a single-site record (all but providers) in seq order directly, with
-- `site_ids = ARRAY[site]`; the few rows of several sites have an ordered index
-- of their own (sync/site-rows.ts reads both).

CREATE FUNCTION create_site_seq_indexes(name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format($f$
    CREATE INDEX %2$I ON %1$I (site_ids, seq);
    CREATE INDEX %3$I ON %1$I (seq) WHERE cardinality(site_ids) > 1;
  $f$, name, name || '_site_seq_idx', name || '_multi_site_seq_idx');
END $$;

SELECT create_site_seq_indexes(t) FROM unnest(ARRAY[
  'sites', 'providers', 'rooms', 'schedules', 'patients', 'appointments', 'queue_entries'
]) AS t;

DROP FUNCTION create_site_seq_indexes(text);

-- Stored times are ISO-8601 UTC strings with an explicit "Z" (validated by the
-- shared schemas), so reading one as an instant depends on no session setting:
-- immutable in practice, which an index expression requires.
CREATE FUNCTION iso_instant(text) RETURNS timestamptz LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT $1::timestamptz $$;

-- The overlap rule looks for a provider's bookings that start within a day
-- before the new one (appointments_provider_start_idx), plus the rare visits
-- longer than a day, kept apart here, so a booking costs the same however long
-- the provider's history is.
CREATE INDEX appointments_provider_long_visit_idx ON appointments ((doc->>'providerId'), (doc->>'end'))
  WHERE iso_instant(doc->>'end') - iso_instant(doc->>'start') > interval '1 day';
