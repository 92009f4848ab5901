-- The funnel, scoring and KPI read models of a fleet (READ_MODELS=postgres): the same rows as the
-- embedded SQLite projections, written with their checkpoint (table `checkpoints`, migrations of area
-- `checkpoints`) in one transaction by whichever instance holds the projection's lease.
-- Text is COLLATE "C" so sorts and comparisons are byte order, as in SQLite: both stores answer alike.
CREATE TABLE funnel_leads (
  lead_id TEXT COLLATE "C" PRIMARY KEY, tenant_id TEXT COLLATE "C" NOT NULL, channel TEXT COLLATE "C" NOT NULL,
  campaign TEXT COLLATE "C", cost_cents BIGINT, captured_at TEXT COLLATE "C" NOT NULL, stage TEXT COLLATE "C" NOT NULL,
  strict_path INTEGER NOT NULL, last_main_index INTEGER NOT NULL,
  reached_lead TEXT COLLATE "C", reached_mql TEXT COLLATE "C", reached_sql TEXT COLLATE "C", reached_opportunity TEXT COLLATE "C",
  reached_customer TEXT COLLATE "C", reached_nurturing TEXT COLLATE "C", reached_disqualified TEXT COLLATE "C",
  strict_lead INTEGER NOT NULL DEFAULT 0, strict_mql INTEGER NOT NULL DEFAULT 0, strict_sql INTEGER NOT NULL DEFAULT 0,
  strict_opportunity INTEGER NOT NULL DEFAULT 0, strict_customer INTEGER NOT NULL DEFAULT 0);
CREATE INDEX funnel_leads_cohort ON funnel_leads (tenant_id, captured_at);
CREATE TABLE funnel_stage_visits (
  lead_id TEXT COLLATE "C" NOT NULL, seq INTEGER NOT NULL, tenant_id TEXT COLLATE "C" NOT NULL, stage TEXT COLLATE "C" NOT NULL,
  entered_at TEXT COLLATE "C" NOT NULL, left_at TEXT COLLATE "C", PRIMARY KEY (lead_id, seq));

CREATE TABLE lead_scores (
  lead_id TEXT COLLATE "C" PRIMARY KEY, tenant_id TEXT COLLATE "C" NOT NULL, stage TEXT COLLATE "C" NOT NULL,
  total DOUBLE PRECISION NOT NULL, fit DOUBLE PRECISION NOT NULL, engagement DOUBLE PRECISION NOT NULL, temperature TEXT COLLATE "C" NOT NULL,
  owner_id TEXT COLLATE "C", channel TEXT COLLATE "C" NOT NULL, campaign TEXT COLLATE "C", captured_at TEXT COLLATE "C" NOT NULL,
  last_activity_at TEXT COLLATE "C" NOT NULL);
CREATE INDEX lead_scores_by_score ON lead_scores (tenant_id, total DESC, lead_id);
CREATE INDEX lead_scores_by_activity ON lead_scores (tenant_id, last_activity_at DESC, lead_id);

CREATE TABLE kpi_opportunities (
  opportunity_id TEXT COLLATE "C" PRIMARY KEY, tenant_id TEXT COLLATE "C" NOT NULL, lead_id TEXT COLLATE "C" NOT NULL,
  amount_minor BIGINT NOT NULL, currency TEXT COLLATE "C" NOT NULL, status TEXT COLLATE "C" NOT NULL, opened_at TEXT COLLATE "C" NOT NULL,
  closed_at TEXT COLLATE "C", won_minor BIGINT, loss_reason TEXT COLLATE "C");
CREATE INDEX kpi_opportunities_lead ON kpi_opportunities (lead_id);
CREATE TABLE kpi_reasons (
  event_id TEXT COLLATE "C" PRIMARY KEY, tenant_id TEXT COLLATE "C" NOT NULL, lead_id TEXT COLLATE "C" NOT NULL,
  kind TEXT COLLATE "C" NOT NULL, reason TEXT COLLATE "C" NOT NULL, at TEXT COLLATE "C" NOT NULL);
CREATE INDEX kpi_reasons_lead ON kpi_reasons (lead_id);
CREATE TABLE kpi_first_assignments (lead_id TEXT COLLATE "C" PRIMARY KEY, tenant_id TEXT COLLATE "C" NOT NULL, assigned_at TEXT COLLATE "C" NOT NULL);
CREATE TABLE kpi_first_activities (
  lead_id TEXT COLLATE "C" NOT NULL, activity_type TEXT COLLATE "C" NOT NULL, first_at TEXT COLLATE "C" NOT NULL, PRIMARY KEY (lead_id, activity_type));

-- One table for the three projections' quarantines (SQLite keeps one each); `seq` keeps the log's order.
CREATE TABLE projection_quarantined_leads (
  seq BIGSERIAL PRIMARY KEY, projection TEXT COLLATE "C" NOT NULL, event_id TEXT COLLATE "C" NOT NULL, lead_id TEXT COLLATE "C" NOT NULL,
  tenant_id TEXT COLLATE "C" NOT NULL, event_type TEXT COLLATE "C" NOT NULL, position TEXT NOT NULL, error TEXT NOT NULL, since TEXT NOT NULL,
  UNIQUE (projection, event_id));
CREATE INDEX projection_quarantined_leads_lead ON projection_quarantined_leads (projection, lead_id);
