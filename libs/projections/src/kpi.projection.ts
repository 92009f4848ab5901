import type Database from 'better-sqlite3';
import {
  AGGREGATE_STREAM_PREFIXES,
  decodeLeadEvent,
  decodeOpportunityEvent,
  isOpportunityEventType,
  type LeadDisqualified,
  OPPORTUNITY_STREAM_PREFIX,
  type OpportunityLost,
} from '@lead-lifecycle/domain';
import { type StoredEvent } from '@lead-lifecycle/eventing';
import { minorUnits } from './read-model-money';
import { refoldIfShapeChanged } from './read-model-shape';
import { utcTime as utc } from './read-model-time';
import { type SqliteProjection, statement } from './sqlite-projection';

/**
 * Opportunities with their amounts and outcomes, and every disqualification and loss reason. The KPI
 * queries combine them with the funnel model (stages, times, cohorts, costs). Amounts are exact
 * integers of the currency's minor units (amount_minor, won_minor), so sums are exact.
 */
export class KpiProjection implements SqliteProjection {
  readonly name = 'kpi';
  readonly streamPrefixes = AGGREGATE_STREAM_PREFIXES;
  readonly tables = ['kpi_opportunities', 'kpi_reasons'];

  createTables(db: Database.Database): void {
    // Amounts were REAL before they became exact integer minor units.
    refoldIfShapeChanged(db, this, { kpi_opportunities: ['amount_minor', 'won_minor'] });
    db.exec(`
      CREATE TABLE IF NOT EXISTS kpi_opportunities (
        opportunity_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, lead_id TEXT NOT NULL, amount_minor INTEGER NOT NULL,
        currency TEXT NOT NULL, status TEXT NOT NULL, opened_at TEXT NOT NULL, closed_at TEXT, won_minor INTEGER, loss_reason TEXT);
      CREATE INDEX IF NOT EXISTS kpi_opportunities_lead ON kpi_opportunities (lead_id);
      CREATE TABLE IF NOT EXISTS kpi_reasons (
        event_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, lead_id TEXT NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS kpi_reasons_lead ON kpi_reasons (lead_id);
    `);
  }

  apply(db: Database.Database, stored: StoredEvent): void {
    const tenantId = stored.metadata.tenantId;
    if (stored.type === 'LeadDisqualified') {
      const event = decodeLeadEvent(stored);
      if (event.type === 'LeadDisqualified') this.recordReason(db, stored, event, 'disqualification');
      return;
    }
    if (!stored.streamId.startsWith(OPPORTUNITY_STREAM_PREFIX) || !isOpportunityEventType(stored.type)) return;
    const event = decodeOpportunityEvent(stored);
    switch (event.type) {
      case 'OpportunityOpened': {
        const d = event.data;
        statement(
          db,
          `INSERT INTO kpi_opportunities (opportunity_id, tenant_id, lead_id, amount_minor, currency, status, opened_at) VALUES (?, ?, ?, ?, ?, 'open', ?)`,
        ).run(d.opportunityId, tenantId, d.leadId, minorUnits(d.amount, d.currency), d.currency, utc(d.occurredAt));
        return;
      }
      case 'OpportunityWon':
        this.close(
          db,
          event.data.opportunityId,
          `status = 'won', won_minor = ?, closed_at = ?`,
          minorUnits(event.data.amount, event.data.currency),
          utc(event.data.occurredAt),
        );
        return;
      case 'OpportunityLost': {
        const d = event.data;
        this.close(db, d.opportunityId, `status = 'lost', loss_reason = ?, closed_at = ?`, d.reason, utc(d.occurredAt));
        this.recordReason(db, stored, event, 'loss');
        return;
      }
      case 'OpportunityStageChanged':
      case 'OpportunityStalled':
        return;
      default:
        return;
    }
  }

  private recordReason(db: Database.Database, stored: StoredEvent, event: LeadDisqualified | OpportunityLost, kind: 'disqualification' | 'loss'): void {
    const d = event.data;
    statement(db, 'INSERT INTO kpi_reasons (event_id, tenant_id, lead_id, kind, reason, at) VALUES (?, ?, ?, ?, ?, ?)').run(
      stored.eventId,
      stored.metadata.tenantId,
      d.leadId,
      kind,
      d.reason,
      utc(d.occurredAt),
    );
  }

  private close(db: Database.Database, opportunityId: string, set: string, value: unknown, at: string): void {
    const changed = statement(db, `UPDATE kpi_opportunities SET ${set} WHERE opportunity_id = ?`).run(value, at, opportunityId);
    if (changed.changes !== 1) throw new Error(`opportunity ${opportunityId} closed but never opened`);
  }
}
