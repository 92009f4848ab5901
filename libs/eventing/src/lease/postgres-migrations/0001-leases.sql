-- One row per lease name. `term` is the fencing token: it grows by one whenever the holder changes, so
-- a write fenced on (name, holder, term) is refused once another instance took the lease over.
-- `expires_at` is always computed by the server (now() + ttl), so the instances' clocks never matter.
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  term BIGINT NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  acquired_at TIMESTAMPTZ NOT NULL,
  renewed_at TIMESTAMPTZ NOT NULL
);
