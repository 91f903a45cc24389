-- The integration API (docs/architecture.md §6.3): API clients and their keys,
-- idempotent POSTs, and webhooks delivered from an outbox. None of these tables
-- is replicated to any device.

-- An external system acting at one site. The key is random (256 bits) and shown
-- once; only its SHA-256 is kept, which is enough for a key that cannot be guessed.
CREATE TABLE api_clients (
  id uuid PRIMARY KEY,
  site_id uuid NOT NULL REFERENCES sites (id),
  name text NOT NULL,
  -- 'patients:read', 'appointments:write', ... (api-clients/scopes.ts)
  scopes text[] NOT NULL,
  key_hash bytea NOT NULL UNIQUE,
  -- The key's first characters, so an admin can tell keys apart without seeing them.
  key_prefix text NOT NULL,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid REFERENCES users (id)
);
CREATE INDEX api_clients_site_idx ON api_clients (site_id);

-- The answer to a POST made with an Idempotency-Key, per client: a repeat gets
-- the same answer and changes nothing. `request_hash` tells a genuine repeat from
-- a different request that reuses the key.
CREATE TABLE idempotency_keys (
  client_id uuid NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  key text NOT NULL,
  request_hash text NOT NULL,
  status integer,
  body jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, key)
);

-- Where a client wants events sent. The secret signs every delivery (HMAC-SHA256),
-- so it must be kept as given; it is shown to the client once.
CREATE TABLE webhook_subscriptions (
  id uuid PRIMARY KEY,
  client_id uuid NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  site_id uuid NOT NULL REFERENCES sites (id),
  url text NOT NULL,
  events text[] NOT NULL,
  secret text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_subscriptions_site_idx ON webhook_subscriptions (site_id) WHERE active;

-- The outbox: one row per event, written in the same transaction as the change
-- that raised it, so an event exists exactly when its change committed.
CREATE TABLE webhook_events (
  id uuid PRIMARY KEY,
  site_id uuid NOT NULL,
  type text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One event to one subscription. The dispatcher claims due rows with
-- FOR UPDATE SKIP LOCKED, so several server instances never send the same one at once.
CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
  subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_status integer,
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (event_id, subscription_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_subscription_idx ON webhook_deliveries (subscription_id, created_at DESC);

-- Every attempt, for the delivery log.
CREATE TABLE webhook_attempts (
  id bigserial PRIMARY KEY,
  delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT now(),
  status integer,
  error text,
  duration_ms integer NOT NULL
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
