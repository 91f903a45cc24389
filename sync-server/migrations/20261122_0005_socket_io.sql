-- socket.io's PostgreSQL adapter carries live changes between server instances
-- over LISTEN/NOTIFY; payloads over NOTIFY's 8000-byte limit go through this table.
CREATE TABLE socket_io_attachments (
  id bigserial UNIQUE,
  created_at timestamptz DEFAULT now(),
  payload bytea
);
