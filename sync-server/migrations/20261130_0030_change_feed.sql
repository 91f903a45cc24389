-- The committed-change feed (docs/architecture.md §9.2): one row per collection
-- and site of each committed write, inserted by pushRecords in the write's own
-- transaction (so a row exists exactly when its change committed) and announced
-- after commit with NOTIFY medisync_change_feed. Every server instance reads it
-- by `position` per site: positions are taken under the site's advisory lock
-- (§3.3), so at one site they commit in the order they were taken and a reader
-- that is past position p at a site never sees a smaller one appear later.
CREATE TABLE change_feed (
  position bigserial PRIMARY KEY,
  site_id uuid NOT NULL,
  collection text NOT NULL,
  -- The collection's last seq at the site before this change, and its last seq
  -- after it: what a socket.io live event carries (§3.7).
  from_seq bigint NOT NULL,
  to_seq bigint NOT NULL,
  -- [{doc, seq, siteIds, changed, raised}]: each record as committed, the
  -- top-level fields that changed (null for a new record) and the attention
  -- flags this change opened.
  records jsonb NOT NULL,
  -- What a retention job prunes by: rows older than every reader's cursor.
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A reader's catch-up at one site: rows after its cursor, in order.
CREATE INDEX change_feed_site_position ON change_feed (site_id, position);
CREATE INDEX change_feed_created_at ON change_feed (created_at);
