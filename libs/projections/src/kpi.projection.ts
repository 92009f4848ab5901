import type Database from 'better-sqlite3';
import {
  AGGREGATE_STREAM_PREFIXES,
  decodeLeadEvent,
  decodeOpportunityEvent,
  type EngagementRecorded,
  isOpportunityEventType,
  type LeadAssigned,
  type LeadDisqualified,
  OPPORTUNITY_STREAM_PREFIX,
  type OpportunityLost,
} from '@lead-lifecycle/domain';
import { type StoredEvent } from '@lead-lifecycle/eventing';
import { minorUnits } from './read-model-money';
import { leadIdOf } from './lead-quarantine';
import { refoldIfShapeChanged } from './read-model-shape';
import { utcTime as utc } from './read-model-time';
import { type SqliteProjection, statement } from './sqlite-projection';

/**
 * Opportunities with their amounts and outcomes, every disqualification and loss reason, and for speed
 * to lead each lead's first assignment with the first time of each activity type at or after it. The
 * KPI queries combine them with the funnel model (stages, times, cohorts, costs). Amounts are exact
 * integers of the currency's minor units (amount_minor, won_minor), so sums are exact. Which activity
 * types are sales touches is configuration, applied by the query: changing it needs no refold.
 */
export class KpiProjection implements SqliteProjection {
  readonly name = 'kpi';
  readonly streamPrefixes = AGGREGATE_STREAM_PREFIXES;
  readonly tables = ['kpi_opportunities', 'kpi_reasons', 'kpi_first_assignments', 'kpi_first_activities'];

  createTables(db: Database.Database): void {
    // Amounts were REAL before they became exact integer minor units; the speed-to-lead tables came later.
    refoldIfShapeChanged(db, this, {
      kpi_opportunities: ['amount_minor', 'won_minor'],
      kpi_first_assignments: ['assigned_at'],
      kpi_first_activities: ['first_at'],
    });
    db.exec(`
      CREATE TABLE IF NOT EXISTS kpi_opportunities (
        opportunity_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, lead_id TEXT NOT NULL, amount_minor INTEGER NOT NULL,
        currency TEXT NOT NULL, status TEXT NOT NULL, opened_at TEXT NOT NULL, closed_at TEXT, won_minor INTEGER, loss_reason TEXT);
      CREATE INDEX IF NOT EXISTS kpi_opportunities_lead ON kpi_opportunities (lead_id);
      CREATE TABLE IF NOT EXISTS kpi_reasons (
        event_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, lead_id TEXT NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS kpi_reasons_lead ON kpi_reasons (lead_id);
      CREATE TABLE IF NOT EXISTS kpi_first_assignments (lead_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, assigned_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS kpi_first_activities (
        lead_id TEXT NOT NULL, activity_type TEXT NOT NULL, first_at TEXT NOT NULL, PRIMARY KEY (lead_id, activity_type));
    `);
  }

  apply(db: Database.Database, stored: StoredEvent): void {
    const tenantId = stored.metadata.tenantId;
    if (stored.type === 'EngagementRecorded') {
      // Most activities are marketing engagement before any assignment, which speed to lead never counts:
      // they are passed over unread (so an unreadable one of an unassigned lead holds nothing here).
      const leadId = leadIdOf(stored);
      const assignedAt = leadId === undefined ? undefined : this.firstAssignedAt(db, leadId);
      if (assignedAt === undefined) return;
      const event = decodeLeadEvent(stored);
      if (event.type === 'EngagementRecorded') this.recordActivity(db, event, assignedAt);
      return;
    }
    if (stored.type === 'LeadDisqualified' || stored.type === 'LeadAssigned') {
      const event = decodeLeadEvent(stored);
      if (event.type === 'LeadDisqualified') this.recordReason(db, stored, event, 'disqualification');
      else if (event.type === 'LeadAssigned') this.recordAssignment(db, stored, event);
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

  /** Only the first assignment of a lead counts: speed to lead is how fast the lead was first worked. */
  private recordAssignment(db: Database.Database, stored: StoredEvent, event: LeadAssigned): void {
    statement(db, 'INSERT INTO kpi_first_assignments (lead_id, tenant_id, assigned_at) VALUES (?, ?, ?) ON CONFLICT (lead_id) DO NOTHING').run(
      event.data.leadId,
      stored.metadata.tenantId,
      utc(event.data.occurredAt),
    );
  }

  private firstAssignedAt(db: Database.Database, leadId: string): string | undefined {
    return statement(db, 'SELECT assigned_at FROM kpi_first_assignments WHERE lead_id = ?').pluck().get(leadId) as string | undefined;
  }

  /** The earliest time of each activity type at or after the lead's first assignment (a backdated one before it is no touch of the owner). */
  private recordActivity(db: Database.Database, event: EngagementRecorded, assignedAt: string): void {
    const d = event.data;
    const at = utc(d.occurredAt);
    if (at < assignedAt) return;
    statement(
      db,
      `INSERT INTO kpi_first_activities (lead_id, activity_type, first_at) VALUES (?, ?, ?)
       ON CONFLICT (lead_id, activity_type) DO UPDATE SET first_at = min(first_at, excluded.first_at)`,
    ).run(d.leadId, d.activityType, at);
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
