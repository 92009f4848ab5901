-- API keys shared by every instance: a hash of each secret only (SHA-256 of 32 random bytes), never the key.
CREATE TABLE api_keys (
  key_id       TEXT        PRIMARY KEY CHECK (key_id ~ '^[0-9a-f]{16}$'),
  tenant_id    TEXT        NOT NULL,
  roles        TEXT[]      NOT NULL,
  name         TEXT        NOT NULL,
  owner_id     TEXT,
  secret_hash  BYTEA       NOT NULL CHECK (octet_length(secret_hash) = 32),
  created_at   TIMESTAMPTZ NOT NULL,
  expires_at   TIMESTAMPTZ,
  revoked_at   TIMESTAMPTZ,
  last_used_at TIMESTAMPTZ
);

CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, created_at);
