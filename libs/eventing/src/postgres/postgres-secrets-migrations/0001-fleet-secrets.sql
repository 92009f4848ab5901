-- Secrets every instance of a fleet must hold the same copy of (the consistency-token key): made once,
-- by whichever instance starts first, and never changed (a new secret is a new name).
CREATE TABLE fleet_secrets (
  name       TEXT        PRIMARY KEY,
  value      TEXT        NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
