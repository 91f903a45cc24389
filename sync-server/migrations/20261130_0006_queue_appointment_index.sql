-- A second arrival for one appointment is looked up on every new queue entry.
CREATE INDEX queue_entries_appointment_idx ON queue_entries ((doc->>'appointmentId'))
  WHERE doc->>'appointmentId' IS NOT NULL;
