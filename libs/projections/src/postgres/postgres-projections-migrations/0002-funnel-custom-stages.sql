-- The host's own stages (lifecycleConfig.stages) a lead reached, first time: rows by name, not columns,
-- so the funnel's shape does not change with the configuration (as funnel_custom_stages in SQLite).
CREATE TABLE funnel_custom_stages (
  lead_id TEXT COLLATE "C" NOT NULL, stage TEXT COLLATE "C" NOT NULL, tenant_id TEXT COLLATE "C" NOT NULL,
  reached_at TEXT COLLATE "C" NOT NULL, PRIMARY KEY (lead_id, stage));
