-- Who may use the server (docs/architecture.md §6): staff accounts and their sessions,
-- enrolled devices, and the audit log of every access to patient data. None of
-- these tables is replicated to any device.

-- Staff. Passwords are argon2id hashes (auth/passwords.ts); emails are unique
-- whatever their case.
CREATE TABLE users (
  id uuid PRIMARY KEY,
  email text NOT NULL,
  display_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'desk')),
  password_hash text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_idx ON users (lower(email));

-- The sites a user works at; a session is always at one of them.
CREATE TABLE user_sites (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  site_id uuid NOT NULL REFERENCES sites (id),
  PRIMARY KEY (user_id, site_id)
);
CREATE INDEX user_sites_site_idx ON user_sites (site_id);

-- A signed-in staff session. Access tokens name it (`sid`), so revoking it
-- (sign-out, password reset, deactivation, refresh-token reuse) refuses them at once.
CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  site_id uuid NOT NULL REFERENCES sites (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Idle expiry, moved forward by each refresh, and the hard limit it never passes.
  expires_at timestamptz NOT NULL,
  absolute_expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text,
  ip text,
  user_agent text
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Refresh tokens are opaque and rotate on every use; only their SHA-256 is kept.
-- A token presented after it was used means it was copied: the whole session is revoked.
CREATE TABLE refresh_tokens (
  token_hash bytea PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  issued_at timestamptz NOT NULL DEFAULT now(),
  used_at timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- Enrolled devices. A device token names its device and `token_id`; both are
-- checked on every request and socket handshake, so a revoked device is refused at once.
CREATE TABLE devices (
  id uuid PRIMARY KEY,
  site_id uuid NOT NULL REFERENCES sites (id),
  -- The principal role: a desktop enrolls as 'desk'.
  role text NOT NULL CHECK (role IN ('desk', 'kiosk', 'display')),
  name text NOT NULL,
  label text NOT NULL,
  token_id uuid NOT NULL,
  enrolled_at timestamptz NOT NULL DEFAULT now(),
  enrolled_by uuid REFERENCES users (id),
  last_seen_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid REFERENCES users (id)
);
CREATE INDEX devices_site_idx ON devices (site_id);

-- One-time enrollment codes ("7KQ-4MZ-P2D"), kept as SHA-256 of the normalised code.
CREATE TABLE enrollment_codes (
  code_hash bytea PRIMARY KEY,
  site_id uuid NOT NULL REFERENCES sites (id),
  role text NOT NULL CHECK (role IN ('desktop', 'kiosk', 'display')),
  label text NOT NULL,
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  device_id uuid REFERENCES devices (id)
);

-- Who read or wrote what, when and from where: one row per request, the record
-- ids as an array. Append-only.
CREATE TABLE audit_events (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_kind text NOT NULL CHECK (actor_kind IN ('user', 'device', 'apiClient', 'anonymous')),
  actor_id text,
  actor_role text,
  site_id uuid,
  -- 'read' and 'write' of records; other actions are security events ('sign-in', 'device-revoked', ...).
  action text NOT NULL,
  collection text,
  record_ids uuid[] NOT NULL DEFAULT '{}',
  record_count integer NOT NULL DEFAULT 0,
  -- The route or channel: 'sync.pull', 'sync.push', 'sync.live', 'POST /auth/sign-in', ...
  via text NOT NULL,
  ip text,
  user_agent text,
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_site_idx ON audit_events (site_id, id DESC);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, id DESC);
CREATE INDEX audit_events_records_idx ON audit_events USING gin (record_ids);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- Fixed-window counters for abuse limits (sign-in, enrollment), in PostgreSQL so
-- that every server instance behind a load balancer counts the same attempts.
CREATE TABLE rate_limits (
  key text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  hits integer NOT NULL
);
