-- Reminders and notifications (docs/architecture.md §9.6): one row per message to
-- one patient on one channel, worked through like the webhook outbox (claimed
-- with FOR UPDATE SKIP LOCKED and a lease, retried with backoff), and every attempt.
CREATE TABLE reminder_messages (
  id uuid PRIMARY KEY,
  site_id uuid NOT NULL,
  patient_id uuid NOT NULL,
  appointment_id uuid,
  queue_entry_id uuid,
  kind text NOT NULL CHECK (kind IN ('reminder', 'almost-turn')),
  channel text NOT NULL CHECK (channel IN ('email', 'sms')),
  -- What makes a message once and only once: a reminder per appointment, start,
  -- offset and channel; an "almost your turn" per queue entry.
  dedupe_key text NOT NULL UNIQUE,
  -- The start it was planned for: a moved appointment's old reminder is not sent.
  planned_start text,
  minutes_before integer,
  -- pending: due at next_attempt_at; sending: handed to the provider, answer not yet recorded;
  -- sent; failed (given up); cancelled (no longer wanted: opted out, cancelled, moved, too late);
  -- uncertain: the server stopped between handing it over and recording the answer, so it is
  -- not sent again (a patient gets a message at most once) and the desk is told.
  state text NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled', 'uncertain')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  sending_since timestamptz,
  provider text,
  provider_message_id text,
  last_error text,
  reason text,
  sent_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reminder_messages_due_idx ON reminder_messages (next_attempt_at) WHERE state = 'pending';
CREATE INDEX reminder_messages_sending_idx ON reminder_messages (sending_since) WHERE state = 'sending';
CREATE INDEX reminder_messages_appointment_idx ON reminder_messages (appointment_id);
CREATE INDEX reminder_messages_site_idx ON reminder_messages (site_id, created_at DESC);

CREATE TABLE reminder_attempts (
  id bigserial PRIMARY KEY,
  message_id uuid NOT NULL REFERENCES reminder_messages (id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT now(),
  provider text NOT NULL,
  provider_message_id text,
  error text,
  duration_ms integer NOT NULL
);
CREATE INDEX reminder_attempts_message_idx ON reminder_attempts (message_id, id);
