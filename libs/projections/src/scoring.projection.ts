import type Database from 'better-sqlite3';
import { decodeLeadEvent, isLeadEventType, LEAD_STREAM_PREFIX, type LeadStage } from '@lead-lifecycle/domain';
import { type StoredEvent } from '@lead-lifecycle/eventing';
import { stageEnteredBy } from './lead-stage-transitions';
import { utcTime as utc } from './read-model-time';
import { scoringReleases } from './scoring.release';
import { type SqliteProjection, statement } from './sqlite-projection';

/** One row per lead with what sales needs to pick who to call next. */
export class ScoringProjection implements SqliteProjection {
  readonly name = 'scoring';
  readonly streamPrefixes = [LEAD_STREAM_PREFIX];
  readonly tables = ['lead_scores'];
  readonly releases = scoringReleases;

  createTables(db: Database.Database): void {
    db.exec(`
      CREATE TABLE IF NOT EXISTS lead_scores (
        lead_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, stage TEXT NOT NULL,
        total REAL NOT NULL, fit REAL NOT NULL, engagement REAL NOT NULL, temperature TEXT NOT NULL,
        owner_id TEXT, channel TEXT NOT NULL, campaign TEXT, captured_at TEXT NOT NULL, last_activity_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS lead_scores_by_score ON lead_scores (tenant_id, total DESC, lead_id);
      CREATE INDEX IF NOT EXISTS lead_scores_by_activity ON lead_scores (tenant_id, last_activity_at DESC, lead_id);
    `);
  }

  apply(db: Database.Database, stored: StoredEvent): void {
    if (!isLeadEventType(stored.type)) return;
    const event = decodeLeadEvent(stored);
    // String(): a payload without its lead id (poison) must fail the same way as before it was typed.
    const leadId = String(event.data.leadId);
    if (event.type === 'LeadCaptured') {
      const d = event.data;
      statement(
        db,
        `INSERT INTO lead_scores (lead_id, tenant_id, stage, total, fit, engagement, temperature, channel, campaign, captured_at, last_activity_at)
         VALUES (?, ?, 'lead', 0, 0, 0, 'cold', ?, ?, ?, ?)`,
      ).run(leadId, stored.metadata.tenantId, d.source.channel, d.source.campaign ?? null, utc(d.occurredAt), utc(d.occurredAt));
      return;
    }
    const row = statement(db, 'SELECT stage FROM lead_scores WHERE lead_id = ?').get(leadId) as { stage: LeadStage } | undefined;
    if (!row) throw new Error(`${stored.type} for lead ${leadId}, which was never captured`);
    switch (event.type) {
      case 'ScoreChanged': {
        const { total, fit, engagement } = event.data.current;
        statement(db, 'UPDATE lead_scores SET total = ?, fit = ?, engagement = ?, temperature = ? WHERE lead_id = ?').run(
          total,
          fit,
          engagement,
          event.data.temperature,
          leadId,
        );
        return;
      }
      case 'LeadAssigned':
        statement(db, 'UPDATE lead_scores SET owner_id = ? WHERE lead_id = ?').run(event.data.ownerId, leadId);
        return;
      case 'EngagementRecorded':
      case 'LeadRecaptured':
        statement(db, 'UPDATE lead_scores SET last_activity_at = max(last_activity_at, ?) WHERE lead_id = ?').run(utc(event.data.occurredAt), leadId);
        return;
      default: {
        const next = stageEnteredBy(event, row.stage);
        if (next) statement(db, 'UPDATE lead_scores SET stage = ? WHERE lead_id = ?').run(next, leadId);
      }
    }
  }
}
