import type { PoolClient } from 'pg';
import { decodeLeadEvent, isLeadEventType, LEAD_STREAM_PREFIX, type LeadStage } from '@lead-lifecycle/domain';
import { type StoredEvent } from '@lead-lifecycle/eventing';
import { stageEnteredBy } from '../lead-stage-transitions';
import { utcTime as utc } from '../read-model-time';
import { scoringReleases } from '../scoring.release';
import type { PostgresProjection } from './postgres-projection';

/** The scoring read model (see ScoringProjection) folded into PostgreSQL, with the same decisions and release rule. */
export class ScoringPostgresProjection implements PostgresProjection {
  readonly name = 'scoring';
  readonly streamPrefixes = [LEAD_STREAM_PREFIX];
  readonly releases = scoringReleases;

  async apply(client: PoolClient, stored: StoredEvent): Promise<void> {
    if (!isLeadEventType(stored.type)) return;
    const event = decodeLeadEvent(stored);
    const leadId = String(event.data.leadId);
    if (event.type === 'LeadCaptured') {
      const d = event.data;
      await client.query(
        `INSERT INTO lead_scores (lead_id, tenant_id, stage, total, fit, engagement, temperature, channel, campaign, captured_at, last_activity_at)
         VALUES ($1, $2, 'lead', 0, 0, 0, 'cold', $3, $4, $5, $5)`,
        [leadId, stored.metadata.tenantId, d.source.channel, d.source.campaign ?? null, utc(d.occurredAt)],
      );
      return;
    }
    const found = await client.query<{ stage: LeadStage }>('SELECT stage FROM lead_scores WHERE lead_id = $1', [leadId]);
    const row = found.rows[0];
    if (!row) throw new Error(`${stored.type} for lead ${leadId}, which was never captured`);
    switch (event.type) {
      case 'ScoreChanged': {
        const { total, fit, engagement } = event.data.current;
        await client.query('UPDATE lead_scores SET total = $1, fit = $2, engagement = $3, temperature = $4 WHERE lead_id = $5', [
          total,
          fit,
          engagement,
          event.data.temperature,
          leadId,
        ]);
        return;
      }
      case 'LeadAssigned':
        await client.query('UPDATE lead_scores SET owner_id = $1 WHERE lead_id = $2', [event.data.ownerId, leadId]);
        return;
      case 'EngagementRecorded':
      case 'LeadRecaptured':
        await client.query('UPDATE lead_scores SET last_activity_at = greatest(last_activity_at, $1) WHERE lead_id = $2', [utc(event.data.occurredAt), leadId]);
        return;
      default: {
        const next = stageEnteredBy(event, row.stage);
        if (next) await client.query('UPDATE lead_scores SET stage = $1 WHERE lead_id = $2', [next, leadId]);
      }
    }
  }
}
