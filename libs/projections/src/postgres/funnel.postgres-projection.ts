import type { PoolClient } from 'pg';
import { decodeLeadEvent, isLeadEventType, LEAD_STREAM_PREFIX } from '@lead-lifecycle/domain';
import { type StoredEvent } from '@lead-lifecycle/eventing';
import { funnelStep, isBuiltInStage } from '../funnel-step';
import { stageEnteredBy } from '../lead-stage-transitions';
import { costCents } from '../read-model-money';
import { utcTime as utc } from '../read-model-time';
import type { PostgresProjection } from './postgres-projection';

/** The funnel read model (see FunnelProjection) folded into PostgreSQL, with the same decisions. */
export class FunnelPostgresProjection implements PostgresProjection {
  readonly name = 'funnel';
  readonly streamPrefixes = [LEAD_STREAM_PREFIX];

  async apply(client: PoolClient, stored: StoredEvent): Promise<void> {
    if (!isLeadEventType(stored.type)) return;
    const event = decodeLeadEvent(stored);
    // String(): a payload without its lead id (poison) must fail the same way as in SQLite.
    const leadId = String(event.data.leadId);
    const at = utc(String(event.data.occurredAt));
    const tenantId = stored.metadata.tenantId;
    if (event.type === 'LeadCaptured') {
      const d = event.data;
      const values = [d.leadId, tenantId, d.source.channel, d.source.campaign ?? null, d.source.cost == null ? null : costCents(d.source.cost), utc(d.occurredAt)];
      if (d.stage === undefined) {
        await client.query(
          `INSERT INTO funnel_leads (lead_id, tenant_id, channel, campaign, cost_cents, captured_at, stage, strict_path, last_main_index, reached_lead, strict_lead)
           VALUES ($1, $2, $3, $4, $5, $6, 'lead', 1, 0, $6, 1)`,
          values,
        );
      } else {
        // Captured before `lead`: on the strict path, one step before its first main stage (as in SQLite).
        await client.query(
          `INSERT INTO funnel_leads (lead_id, tenant_id, channel, campaign, cost_cents, captured_at, stage, strict_path, last_main_index)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 1, -1)`,
          [...values, d.stage],
        );
        await this.reachCustom(client, leadId, tenantId, d.stage, at);
      }
      await this.enter(client, leadId, tenantId, d.stage ?? 'lead', at, 0);
      return;
    }
    const found = await client.query<{ stage: string; strict_path: number; last_main_index: number }>(
      'SELECT stage, strict_path, last_main_index FROM funnel_leads WHERE lead_id = $1',
      [leadId],
    );
    const row = found.rows[0];
    if (!row) throw new Error(`${stored.type} for lead ${leadId}, which was never captured`);
    const next = stageEnteredBy(event, row.stage);
    if (!next) return;
    const { isMain, strict, lastMainIndex } = funnelStep(row, next);
    if (isBuiltInStage(next)) {
      await client.query(
        `UPDATE funnel_leads SET stage = $1, strict_path = $2, last_main_index = $3,
           reached_${next} = COALESCE(reached_${next}, $4) ${isMain && strict ? `, strict_${next} = 1` : ''}
         WHERE lead_id = $5`,
        [next, strict ? 1 : 0, lastMainIndex, at, leadId],
      );
    } else {
      await client.query('UPDATE funnel_leads SET stage = $1 WHERE lead_id = $2', [next, leadId]);
      await this.reachCustom(client, leadId, tenantId, next, at);
    }
    const seq = await client.query<{ seq: number }>('SELECT coalesce(max(seq), 0) + 1 AS seq FROM funnel_stage_visits WHERE lead_id = $1', [leadId]);
    await this.enter(client, leadId, tenantId, next, at, seq.rows[0].seq);
  }

  private async reachCustom(client: PoolClient, leadId: string, tenantId: string, stage: string, at: string): Promise<void> {
    await client.query('INSERT INTO funnel_custom_stages (lead_id, stage, tenant_id, reached_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
      leadId,
      stage,
      tenantId,
      at,
    ]);
  }

  private async enter(client: PoolClient, leadId: string, tenantId: string, stage: string, at: string, seq: number): Promise<void> {
    await client.query('UPDATE funnel_stage_visits SET left_at = $1 WHERE lead_id = $2 AND left_at IS NULL', [at, leadId]);
    await client.query('INSERT INTO funnel_stage_visits (lead_id, seq, tenant_id, stage, entered_at) VALUES ($1, $2, $3, $4, $5)', [
      leadId,
      seq,
      tenantId,
      stage,
      at,
    ]);
  }
}
