import type { PoolClient } from 'pg';
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
import { leadIdOf } from '../lead-quarantine';
import { minorUnits } from '../read-model-money';
import { utcTime as utc } from '../read-model-time';
import type { PostgresProjection } from './postgres-projection';

/** The KPI read model (see KpiProjection) folded into PostgreSQL, with the same decisions. */
export class KpiPostgresProjection implements PostgresProjection {
  readonly name = 'kpi';
  readonly streamPrefixes = AGGREGATE_STREAM_PREFIXES;

  async apply(client: PoolClient, stored: StoredEvent): Promise<void> {
    const tenantId = stored.metadata.tenantId;
    if (stored.type === 'EngagementRecorded') {
      // As in SQLite: an activity of a lead never assigned is passed over unread.
      const leadId = leadIdOf(stored);
      if (leadId === undefined) return;
      const assigned = await client.query<{ assigned_at: string }>('SELECT assigned_at FROM kpi_first_assignments WHERE lead_id = $1', [leadId]);
      if (assigned.rows.length === 0) return;
      const event = decodeLeadEvent(stored);
      if (event.type !== 'EngagementRecorded') return;
      const at = utc(event.data.occurredAt);
      if (at < assigned.rows[0].assigned_at) return;
      await client.query(
        `INSERT INTO kpi_first_activities (lead_id, activity_type, first_at) VALUES ($1, $2, $3)
         ON CONFLICT (lead_id, activity_type) DO UPDATE SET first_at = least(kpi_first_activities.first_at, excluded.first_at)`,
        [event.data.leadId, event.data.activityType, at],
      );
      return;
    }
    if (stored.type === 'LeadDisqualified' || stored.type === 'LeadAssigned') {
      const event = decodeLeadEvent(stored);
      if (event.type === 'LeadDisqualified') await this.recordReason(client, stored, event, 'disqualification');
      else if (event.type === 'LeadAssigned') {
        await client.query('INSERT INTO kpi_first_assignments (lead_id, tenant_id, assigned_at) VALUES ($1, $2, $3) ON CONFLICT (lead_id) DO NOTHING', [
          event.data.leadId,
          tenantId,
          utc(event.data.occurredAt),
        ]);
      }
      return;
    }
    if (!stored.streamId.startsWith(OPPORTUNITY_STREAM_PREFIX) || !isOpportunityEventType(stored.type)) return;
    const event = decodeOpportunityEvent(stored);
    switch (event.type) {
      case 'OpportunityOpened': {
        const d = event.data;
        await client.query(
          `INSERT INTO kpi_opportunities (opportunity_id, tenant_id, lead_id, amount_minor, currency, status, opened_at) VALUES ($1, $2, $3, $4, $5, 'open', $6)`,
          [d.opportunityId, tenantId, d.leadId, minorUnits(d.amount, d.currency), d.currency, utc(d.occurredAt)],
        );
        return;
      }
      case 'OpportunityWon':
        await this.close(client, event.data.opportunityId, `status = 'won', won_minor = $1, closed_at = $2`, [
          minorUnits(event.data.amount, event.data.currency),
          utc(event.data.occurredAt),
        ]);
        return;
      case 'OpportunityLost': {
        const d = event.data;
        await this.close(client, d.opportunityId, `status = 'lost', loss_reason = $1, closed_at = $2`, [d.reason, utc(d.occurredAt)]);
        await this.recordReason(client, stored, event, 'loss');
        return;
      }
      default:
        return;
    }
  }

  private async recordReason(client: PoolClient, stored: StoredEvent, event: LeadDisqualified | OpportunityLost, kind: 'disqualification' | 'loss'): Promise<void> {
    const d = event.data;
    await client.query('INSERT INTO kpi_reasons (event_id, tenant_id, lead_id, kind, reason, at) VALUES ($1, $2, $3, $4, $5, $6)', [
      stored.eventId,
      stored.metadata.tenantId,
      d.leadId,
      kind,
      d.reason,
      utc(d.occurredAt),
    ]);
  }

  private async close(client: PoolClient, opportunityId: string, set: string, values: unknown[]): Promise<void> {
    const changed = await client.query(`UPDATE kpi_opportunities SET ${set} WHERE opportunity_id = $3`, [...values, opportunityId]);
    if (changed.rowCount !== 1) throw new Error(`opportunity ${opportunityId} closed but never opened`);
  }
}
