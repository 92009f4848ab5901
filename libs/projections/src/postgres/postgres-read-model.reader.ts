import type { Pool } from 'pg';
import { DEFAULT_LIFECYCLE_CONFIG } from '@lead-lifecycle/domain';
import { type GlobalPosition, positionFromString, START_POSITION } from '@lead-lifecycle/eventing';
import {
  type CohortFilter,
  cohortWhere,
  customFunnelStages,
  type FunnelGroup,
  funnelGroupsFrom,
  type FunnelOptions,
  type FunnelQuery,
  type StageTime,
  stageTimesFrom,
  type StageVisit,
} from '../funnel.query';
import { type KpiOptions, type KpiReport, type KpiRows, type Kpis, kpisFrom } from '../kpi.query';
import { FUNNEL_STAGES } from '../lead-stage-transitions';
import type { QuarantinedLead } from '../lead-quarantine';
import { quarantinedLeadFrom } from '../quarantined-lead-row';
import type { ReadModelName, ReadModelReader } from '../read-model-reader';
import { splitSum } from '../read-model-money';
import { type LeadListItem, type LeadListQuery, leadListPage, leadListWhere, type LeadScoreRow } from '../scoring.query';
import { projectionCheckpointName } from '../sqlite-projection';

/** SQL written with `?` parameters (the shared filters) in PostgreSQL's numbered form, `$1`, `$2`, … */
export function numbered(sql: string, first = 1): string {
  let n = first;
  return sql.replace(/\?/g, () => `$${n++}`);
}

const ALL_STAGES = [...FUNNEL_STAGES, 'nurturing', 'disqualified'] as const;

/**
 * The read models in PostgreSQL (READ_MODELS=postgres), read by every instance of the fleet: the same
 * answers as the SQLite queries, the same filters (funnel.query.ts, scoring.query.ts) and the same
 * shaping of rows into answers (funnelGroupsFrom, leadListPage, kpisFrom). Counts are cast to integers
 * (PostgreSQL answers bigint as text); money sums stay numeric text, joined exactly like SQLite's bigints.
 */
export class PostgresReadModelReader implements ReadModelReader {
  constructor(private readonly pool: Pool) {}

  private async rows<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return (await this.pool.query(numbered(sql), params as unknown[])).rows as T[];
  }

  async funnel(query: FunnelQuery, options: FunnelOptions = {}): Promise<FunnelGroup[]> {
    const where = cohortWhere(query);
    const custom = customFunnelStages(options);
    const key = query.groupBy ? `l.${query.groupBy}` : 'NULL::text';
    const columns = [
      ...ALL_STAGES.map((s) => `count(l.reached_${s})::int AS reached_${s}`),
      ...FUNNEL_STAGES.map((s) => `coalesce(sum(l.strict_${s}), 0)::int AS strict_${s}`),
      ...ALL_STAGES.map((s) => `(count(*) FILTER (WHERE l.stage = '${s}'))::int AS current_${s}`),
      ...custom.flatMap((c) => [
        `(count(*) FILTER (WHERE EXISTS (SELECT 1 FROM funnel_custom_stages c WHERE c.lead_id = l.lead_id AND c.stage = ?)))::int AS reached_${c.column}`,
        `(count(*) FILTER (WHERE l.stage = ?))::int AS current_${c.column}`,
      ]),
    ];
    const rows = await this.rows<Record<string, number | string | null>>(
      `SELECT ${key} AS grp, ${columns.join(', ')} FROM funnel_leads l WHERE ${where.sql} GROUP BY grp ORDER BY grp NULLS FIRST`,
      [...custom.flatMap((c) => [c.name, c.name]), ...where.params],
    );
    return funnelGroupsFrom(rows, query, options);
  }

  async timeInStage(tenantId: string, leadId: string, now: Date): Promise<StageTime[] | undefined> {
    const visits = await this.rows<StageVisit>('SELECT stage, entered_at, left_at FROM funnel_stage_visits WHERE tenant_id = ? AND lead_id = ? ORDER BY seq', [
      tenantId,
      leadId,
    ]);
    return stageTimesFrom(visits, now);
  }

  async leadList(query: LeadListQuery): Promise<{ items: LeadListItem[]; nextCursor: string | null }> {
    const { where, params, sortColumn, limit } = leadListWhere(query);
    const rows = await this.rows<LeadScoreRow>(`SELECT * FROM lead_scores WHERE ${where} ORDER BY ${sortColumn} DESC, lead_id ASC LIMIT ?`, [
      ...params,
      limit + 1,
    ]);
    return leadListPage(rows, sortColumn, limit);
  }

  async kpis(filter: CohortFilter, options: KpiOptions = { touchTypes: DEFAULT_LIFECYCLE_CONFIG.sla.touchTypes }): Promise<KpiReport> {
    const [overall, byChannel, byCampaign] = await Promise.all([
      this.kpiGroups(filter, options, 'overall', true),
      this.kpiGroups(filter, options, 'channel'),
      this.kpiGroups(filter, options, 'campaign'),
    ]);
    return { overall: overall[0], byChannel, byCampaign };
  }

  /** The SQL of kpi.query.ts's compute in PostgreSQL's dialect (counts of booleans, exact instants for durations). */
  private async kpiGroups(filter: CohortFilter, options: KpiOptions, group: 'overall' | 'channel' | 'campaign', emptyRow = false): Promise<Kpis[]> {
    const where = cohortWhere(filter);
    const key = group === 'overall' ? 'NULL::text' : `l.${group}`;
    const all = <T>(sql: string) => this.rows<T>(sql, where.params);
    const ms = (to: string, from: string) => `(extract(epoch FROM (${to}::timestamptz - ${from}::timestamptz)) * 1000)::float8`;
    const touchTypes = options.touchTypes.length ? options.touchTypes : [''];
    const [leads, opportunities, spendRevenue, visits, cycles, reasons, firstTouches] = await Promise.all([
      all<KpiRows['leads'][number]>(`
        SELECT ${key} AS grp, count(*)::int AS leads, count(l.reached_mql)::int AS mql, count(l.reached_sql)::int AS sql_,
          count(l.reached_opportunity)::int AS opp, count(l.reached_customer)::int AS customers,
          ${splitSum('l.cost_cents', 'cost')}, count(l.cost_cents)::int AS with_cost,
          (count(*) FILTER (WHERE l.cost_cents IS NOT NULL AND l.reached_customer IS NOT NULL))::int AS customers_with_cost
        FROM funnel_leads l WHERE ${where.sql} GROUP BY grp ORDER BY grp NULLS FIRST`),
      all<KpiRows['opportunities'][number]>(`
        SELECT ${key} AS grp, o.status, o.currency, count(*)::int AS n, ${splitSum('o.amount_minor', 'amount')}, ${splitSum('o.won_minor', 'won')}
        FROM kpi_opportunities o JOIN funnel_leads l ON l.lead_id = o.lead_id WHERE ${where.sql} GROUP BY grp, o.status, o.currency`),
      all<KpiRows['spendRevenue'][number]>(`
        SELECT ${key} AS grp, o.currency, ${splitSum('o.won_minor', 'won')}
        FROM kpi_opportunities o JOIN funnel_leads l ON l.lead_id = o.lead_id
        WHERE ${where.sql} AND o.status = 'won' AND l.cost_cents IS NOT NULL GROUP BY grp, o.currency`),
      all<KpiRows['visits'][number]>(`
        SELECT ${key} AS grp, v.stage, ${ms('v.left_at', 'v.entered_at')} AS ms
        FROM funnel_stage_visits v JOIN funnel_leads l ON l.lead_id = v.lead_id WHERE ${where.sql} AND v.left_at IS NOT NULL`),
      all<KpiRows['cycles'][number]>(`
        SELECT ${key} AS grp, ${ms('l.reached_customer', 'l.captured_at')} AS ms
        FROM funnel_leads l WHERE ${where.sql} AND l.reached_customer IS NOT NULL`),
      all<KpiRows['reasons'][number]>(`
        SELECT ${key} AS grp, r.kind, r.reason, count(*)::int AS n
        FROM kpi_reasons r JOIN funnel_leads l ON l.lead_id = r.lead_id WHERE ${where.sql} GROUP BY grp, r.kind, r.reason ORDER BY n DESC, r.reason`),
      this.rows<KpiRows['firstTouches'][number]>(
        `SELECT ${key} AS grp, a.assigned_at AS "assignedAt", min(t.first_at) AS "touchedAt"
         FROM kpi_first_assignments a JOIN funnel_leads l ON l.lead_id = a.lead_id JOIN kpi_first_activities t ON t.lead_id = a.lead_id
         WHERE ${where.sql} AND t.activity_type IN (${touchTypes.map(() => '?').join(', ')}) GROUP BY a.lead_id, grp`,
        [...where.params, ...touchTypes],
      ),
    ]);
    if (leads.length === 0 && emptyRow) leads.push({ grp: null, leads: 0 });
    return kpisFrom({ leads, opportunities, spendRevenue, visits, cycles, reasons, firstTouches }, options.stages);
  }

  async quarantinedInCohort(names: readonly ReadModelName[], filter: CohortFilter): Promise<number> {
    const where = cohortWhere(filter);
    const rows = await this.pool.query<{ n: number }>(
      numbered(
        `SELECT count(*)::int AS n FROM funnel_leads l WHERE ${where.sql}
         AND l.lead_id IN (SELECT lead_id FROM projection_quarantined_leads WHERE projection = ANY(?))`,
      ),
      [...where.params, names],
    );
    return rows.rows[0].n;
  }

  async quarantinedAmong(name: ReadModelName, leadIds: readonly string[]): Promise<Set<string>> {
    if (leadIds.length === 0) return new Set();
    const rows = await this.pool.query<{ lead_id: string }>(
      'SELECT DISTINCT lead_id FROM projection_quarantined_leads WHERE projection = $1 AND lead_id = ANY($2)',
      [name, leadIds],
    );
    return new Set(rows.rows.map((r) => r.lead_id));
  }

  async quarantineCount(name: ReadModelName): Promise<number> {
    const rows = await this.pool.query<{ n: number }>('SELECT count(DISTINCT lead_id)::int AS n FROM projection_quarantined_leads WHERE projection = $1', [name]);
    return rows.rows[0].n;
  }

  async quarantineList(name: ReadModelName, limit: number): Promise<QuarantinedLead[]> {
    const rows = await this.pool.query<Record<string, string> & { n: number }>(
      `SELECT q.*, c.n FROM projection_quarantined_leads q
       JOIN (SELECT min(seq) AS first, count(*)::int AS n FROM projection_quarantined_leads WHERE projection = $1 GROUP BY lead_id) c ON q.seq = c.first
       ORDER BY q.seq LIMIT $2`,
      [name, limit],
    );
    return rows.rows.map((row) => quarantinedLeadFrom(projectionCheckpointName(name), row));
  }

  async checkpoint(name: ReadModelName): Promise<GlobalPosition> {
    const rows = await this.pool.query<{ position: string }>('SELECT position FROM checkpoints WHERE name = $1', [projectionCheckpointName(name)]);
    return rows.rows.length ? positionFromString(rows.rows[0].position) : START_POSITION;
  }
}
