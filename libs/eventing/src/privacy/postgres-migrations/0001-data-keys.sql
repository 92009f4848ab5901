-- Data keys of the personal data in the event log (crypto-shredding), shared by every instance.
-- A destroyed key keeps its row with key NULL: the tombstone that makes the subject read as erased
-- and keeps the version number taken, so a later key gets the next one.
CREATE TABLE data_keys (
  subject_id   TEXT        NOT NULL,
  version      INTEGER     NOT NULL CHECK (version > 0),
  key          BYTEA       CHECK (key IS NULL OR octet_length(key) = 32),
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  destroyed_at TIMESTAMPTZ,
  PRIMARY KEY (subject_id, version),
  CHECK ((key IS NULL) = (destroyed_at IS NOT NULL))
);

-- At most one live (current) key per subject, whatever instances create at the same moment.
CREATE UNIQUE INDEX data_keys_one_live_key ON data_keys (subject_id) WHERE key IS NOT NULL;
