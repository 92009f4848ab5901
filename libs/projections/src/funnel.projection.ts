import type Database from 'better-sqlite3';
import { decodeLeadEvent, isLeadEventType, LEAD_STREAM_PREFIX, type LeadCaptured } from '@lead-lifecycle/domain';
import { type StoredEvent } from '@lead-lifecycle/eventing';
import { FUNNEL_STAGES, stageEnteredBy } from './lead-stage-transitions';
import { funnelStep, isBuiltInStage } from './funnel-step';
import { costCents } from './read-model-money';
import { refoldIfShapeChanged } from './read-model-shape';
import { utcTime as utc } from './read-model-time';
import { type SqliteProjection, statement } from './sqlite-projection';

interface FunnelLeadRow {
  lead_id: string;
  /** A built-in stage, or the name of a host's own (lifecycleConfig.stages). */
  stage: string;
  strict_path: number;
  last_main_index: number;
}

/**
 * Where every lead is and has been: the stages it reached (first time), whether it reached each one
 * by the strict path (every earlier stage, in order, with no side stage between), and every visit to a
 * stage with when it was entered and left. Times are business times (occurredAt). A host's own stages
 * (lifecycleConfig.stages) are named by the configuration, so they get rows (funnel_custom_stages), not
 * columns: the table's shape does not change with the configuration.
 */
export class FunnelProjection implements SqliteProjection {
  readonly name = 'funnel';
  readonly streamPrefixes = [LEAD_STREAM_PREFIX];
  readonly tables = ['funnel_leads', 'funnel_stage_visits', 'funnel_custom_stages'];

  createTables(db: Database.Database): void {
    // Costs were REAL before they became exact integer cents (cost_cents).
    refoldIfShapeChanged(db, this, { funnel_leads: ['cost_cents'] });
    const reached = [...FUNNEL_STAGES, 'nurturing', 'disqualified'].map((s) => `reached_${s} TEXT`).join(', ');
    const strict = FUNNEL_STAGES.map((s) => `strict_${s} INTEGER NOT NULL DEFAULT 0`).join(', ');
    db.exec(`
      CREATE TABLE IF NOT EXISTS funnel_leads (
        lead_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, channel TEXT NOT NULL, campaign TEXT, cost_cents INTEGER,
        captured_at TEXT NOT NULL, stage TEXT NOT NULL, strict_path INTEGER NOT NULL, last_main_index INTEGER NOT NULL,
        ${reached}, ${strict});
      CREATE INDEX IF NOT EXISTS funnel_leads_cohort ON funnel_leads (tenant_id, captured_at);
      CREATE TABLE IF NOT EXISTS funnel_stage_visits (
        lead_id TEXT NOT NULL, seq INTEGER NOT NULL, tenant_id TEXT NOT NULL, stage TEXT NOT NULL,
        entered_at TEXT NOT NULL, left_at TEXT, PRIMARY KEY (lead_id, seq));
      CREATE TABLE IF NOT EXISTS funnel_custom_stages (
        lead_id TEXT NOT NULL, stage TEXT NOT NULL, tenant_id TEXT NOT NULL, reached_at TEXT NOT NULL, PRIMARY KEY (lead_id, stage));
    `);
  }

  apply(db: Database.Database, stored: StoredEvent): void {
    if (!isLeadEventType(stored.type)) return;
    const event = decodeLeadEvent(stored);
    // String(): a payload without its lead id (poison) must fail the same way as before it was typed.
    const leadId = String(event.data.leadId);
    const at = utc(String(event.data.occurredAt));
    if (event.type === 'LeadCaptured') {
      this.capture(db, event, stored.metadata.tenantId);
      const stage = event.data.stage ?? 'lead';
      if (!isBuiltInStage(stage)) this.reachCustom(db, leadId, stored.metadata.tenantId, stage, at);
      this.enter(db, leadId, stored.metadata.tenantId, stage, at, 0);
      return;
    }
    const row = statement(db, 'SELECT lead_id, stage, strict_path, last_main_index FROM funnel_leads WHERE lead_id = ?').get(leadId) as
      | FunnelLeadRow
      | undefined;
    if (!row) throw new Error(`${stored.type} for lead ${leadId}, which was never captured`);
    const next = stageEnteredBy(event, row.stage);
    if (!next) return;
    const { isMain, strict, lastMainIndex } = funnelStep(row, next);
    if (isBuiltInStage(next)) {
      statement(db, 
        `UPDATE funnel_leads SET stage = ?, strict_path = ?, last_main_index = ?,
           reached_${next} = COALESCE(reached_${next}, ?) ${isMain && strict ? `, strict_${next} = 1` : ''}
         WHERE lead_id = ?`,
      ).run(next, strict ? 1 : 0, lastMainIndex, at, leadId);
    } else {
      statement(db, 'UPDATE funnel_leads SET stage = ? WHERE lead_id = ?').run(next, leadId);
      this.reachCustom(db, leadId, stored.metadata.tenantId, next, at);
    }
    const seq = (statement(db, 'SELECT max(seq) FROM funnel_stage_visits WHERE lead_id = ?').pluck().get(leadId) as number) + 1;
    this.enter(db, leadId, stored.metadata.tenantId, next, at, seq);
  }

  private capture(db: Database.Database, event: LeadCaptured, tenantId: string): void {
    const d = event.data;
    const cost = d.source.cost == null ? null : costCents(d.source.cost);
    if (d.stage === undefined) {
      statement(db, 
        `INSERT INTO funnel_leads (lead_id, tenant_id, channel, campaign, cost_cents, captured_at, stage, strict_path, last_main_index, reached_lead, strict_lead)
         VALUES (?, ?, ?, ?, ?, ?, 'lead', 1, 0, ?, 1)`,
      ).run(d.leadId, tenantId, d.source.channel, d.source.campaign ?? null, cost, utc(d.occurredAt), utc(d.occurredAt));
      return;
    }
    // Captured before `lead`: on the strict path, one step before its first main stage.
    statement(db, 
      `INSERT INTO funnel_leads (lead_id, tenant_id, channel, campaign, cost_cents, captured_at, stage, strict_path, last_main_index)
       VALUES (?, ?, ?, ?, ?, ?, ?, 1, -1)`,
    ).run(d.leadId, tenantId, d.source.channel, d.source.campaign ?? null, cost, utc(d.occurredAt), d.stage);
  }

  private reachCustom(db: Database.Database, leadId: string, tenantId: string, stage: string, at: string): void {
    statement(db, 'INSERT INTO funnel_custom_stages (lead_id, stage, tenant_id, reached_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(leadId, stage, tenantId, at);
  }

  private enter(db: Database.Database, leadId: string, tenantId: string, stage: string, at: string, seq: number): void {
    statement(db, 'UPDATE funnel_stage_visits SET left_at = ? WHERE lead_id = ? AND left_at IS NULL').run(at, leadId);
    statement(db, 'INSERT INTO funnel_stage_visits (lead_id, seq, tenant_id, stage, entered_at) VALUES (?, ?, ?, ?, ?)').run(
      leadId,
      seq,
      tenantId,
      stage,
      at,
    );
  }
}
