-- Ticket numbers are leased to devices in blocks per site, queue and site-local
-- day (docs/architecture.md §4.7), so a device can hand out short codes offline that
-- never collide with another device's.

-- A device's tag in its fallback codes ("A-K7Q-005"): unique among the site's
-- devices, given in order (domain/ticket-codes.ts deviceTagFor). The device key
-- is the enrolled device's id, or the replica id a signed-in desk sends.
CREATE TABLE ticket_device_tags (
  site_id uuid NOT NULL REFERENCES sites (id),
  device_key text NOT NULL,
  sequence integer NOT NULL,
  tag text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (site_id, device_key),
  UNIQUE (site_id, sequence),
  UNIQUE (site_id, tag)
);

CREATE TABLE ticket_blocks (
  id uuid PRIMARY KEY,
  site_id uuid NOT NULL REFERENCES sites (id),
  device_key text NOT NULL,
  queue text NOT NULL,
  day date NOT NULL,
  prefix text NOT NULL,
  first_number integer NOT NULL,
  last_number integer NOT NULL,
  leased_at timestamptz NOT NULL DEFAULT now(),
  CHECK (first_number <= last_number)
);
CREATE INDEX ticket_blocks_day_idx ON ticket_blocks (site_id, queue, day);
