-- Billing (docs/architecture.md §9.7): the replicated `ledger` collection, of the
-- same shape as every record table (migration 0001) with the ordered read paths of
-- migration 0007, and what the server keeps of Stripe.

CREATE TABLE ledger (
  id uuid PRIMARY KEY,
  site_ids uuid[] NOT NULL,
  seq bigint NOT NULL UNIQUE,
  deleted boolean NOT NULL DEFAULT false,
  doc jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_site_ids_idx ON ledger USING gin (site_ids);
CREATE INDEX ledger_seq_idx ON ledger (seq);
CREATE INDEX ledger_site_seq_idx ON ledger (site_ids, seq);
CREATE INDEX ledger_multi_site_seq_idx ON ledger (seq) WHERE cardinality(site_ids) > 1;

-- A visit's bill, a patient's balance, a charge's payment, a PaymentIntent's payment.
CREATE INDEX ledger_appointment_idx ON ledger ((doc->>'appointmentId'));
CREATE INDEX ledger_patient_idx ON ledger ((doc->>'patientId'));
CREATE INDEX ledger_kind_idx ON ledger ((doc->>'kind'), (doc->>'siteId'));
-- One payment per charge: the server decides by the charge's id, so two desks never charge it twice.
CREATE UNIQUE INDEX ledger_payment_charge_idx ON ledger ((doc->>'chargeId')) WHERE doc->>'kind' = 'payment';
CREATE INDEX ledger_payment_intent_idx ON ledger ((doc#>>'{stripe,paymentIntentId}')) WHERE doc->>'kind' = 'payment';

-- Each Stripe event applied once: its id is recorded in the transaction that applies it,
-- so a repeated delivery changes nothing.
CREATE TABLE stripe_events (
  id text PRIMARY KEY,
  type text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
