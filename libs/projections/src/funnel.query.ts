import type Database from 'better-sqlite3';
import { FUNNEL_STAGES, type FunnelStage } from './lead-stage-transitions';
import { timeParam } from './read-model-time';

export interface CohortFilter {
  readonly tenantId: string;
  /** Leads captured at or after this time (RFC 3339 business time). */
  readonly from?: string;
  /** Leads captured before this time. */
  readonly to?: string;
  readonly channel?: string;
  readonly campaign?: string;
}

export interface FunnelQuery extends CohortFilter {
  readonly groupBy?: 'channel' | 'campaign';
}

type StageCounts = Record<FunnelStage | 'nurturing' | 'disqualified', number>;

export interface FunnelGroup {
  readonly key: string | null;
  readonly reached: { readonly anyPath: StageCounts; readonly inOrder: Record<FunnelStage, number> };
  readonly current: StageCounts;
  readonly conversion: { readonly anyPath: Record<string, number | null>; readonly inOrder: Record<string, number | null> };
}

export const COUNTING_MODES = {
  anyPath: 'a lead counts for a stage once it reached that stage by any path (recycled leads included)',
  inOrder: 'a lead counts for a stage only if it reached it through every earlier stage, in order, with no nurturing or disqualification between',
} as const;

/** SQL for the cohort filter over funnel_leads (alias l). */
export function cohortWhere(filter: CohortFilter): { sql: string; params: unknown[] } {
  const clauses = ['l.tenant_id = ?'];
  const params: unknown[] = [filter.tenantId];
  if (filter.from) {
    clauses.push('l.captured_at >= ?');
    params.push(timeParam('from', filter.from));
  }
  if (filter.to) {
    clauses.push('l.captured_at < ?');
    params.push(timeParam('to', filter.to));
  }
  if (filter.channel) {
    clauses.push('l.channel = ?');
    params.push(filter.channel);
  }
  if (filter.campaign) {
    clauses.push('l.campaign = ?');
    params.push(filter.campaign);
  }
  return { sql: clauses.join(' AND '), params };
}

const rate = (num: number, den: number) => (den === 0 ? null : Math.round((num / den) * 10000) / 10000);

function conversions(reached: Record<FunnelStage, number>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (let i = 0; i + 1 < FUNNEL_STAGES.length; i++) {
    out[`${FUNNEL_STAGES[i]}_to_${FUNNEL_STAGES[i + 1]}`] = rate(reached[FUNNEL_STAGES[i + 1]], reached[FUNNEL_STAGES[i]]);
  }
  out.lead_to_customer = rate(reached.customer, reached.lead);
  return out;
}

/** Counts per stage for a cohort of leads (by capture time), optionally grouped by channel or campaign. */
export function queryFunnel(db: Database.Database, query: FunnelQuery): FunnelGroup[] {
  const where = cohortWhere(query);
  const all = [...FUNNEL_STAGES, 'nurturing', 'disqualified'] as const;
  const key = query.groupBy ? `l.${query.groupBy}` : 'NULL';
  const columns = [
    ...all.map((s) => `sum(l.reached_${s} IS NOT NULL) AS reached_${s}`),
    ...FUNNEL_STAGES.map((s) => `sum(l.strict_${s}) AS strict_${s}`),
    ...all.map((s) => `sum(l.stage = '${s}') AS current_${s}`),
  ];
  const rows = db
    .prepare(`SELECT ${key} AS grp, ${columns.join(', ')} FROM funnel_leads l WHERE ${where.sql} GROUP BY grp ORDER BY grp`)
    .all(...where.params) as Array<Record<string, number | string | null>>;
  return funnelGroupsFrom(rows, query);
}

/** The groups of a funnel answer from its SQL rows (one per group: `grp`, `reached_*`, `strict_*`, `current_*`), whichever store read them. */
export function funnelGroupsFrom(rows: Array<Record<string, number | string | null>>, query: FunnelQuery): FunnelGroup[] {
  const all = [...FUNNEL_STAGES, 'nurturing', 'disqualified'] as const;
  if (rows.length === 0 && !query.groupBy) rows.push({ grp: null });
  return rows.map((row) => {
    const n = (column: string) => Number(row[column] ?? 0);
    const anyPath = Object.fromEntries(all.map((s) => [s, n(`reached_${s}`)])) as StageCounts;
    const inOrder = Object.fromEntries(FUNNEL_STAGES.map((s) => [s, n(`strict_${s}`)])) as Record<FunnelStage, number>;
    return {
      key: (row.grp as string | null) ?? null,
      reached: { anyPath, inOrder },
      current: Object.fromEntries(all.map((s) => [s, n(`current_${s}`)])) as StageCounts,
      conversion: { anyPath: conversions(anyPath), inOrder: conversions(inOrder) },
    };
  });
}

export interface StageTime {
  readonly stage: string;
  readonly visits: number;
  readonly firstEnteredAt: string;
  readonly lastEnteredAt: string;
  /** When the latest visit ended, null while the lead is still in the stage. */
  readonly lastLeftAt: string | null;
  /** Length of the latest visit (up to `now` while still in it). */
  readonly latestMs: number;
  /** All visits added up. */
  readonly cumulativeMs: number;
}

/** When a lead entered and left each stage, latest and cumulative. */
export function queryTimeInStage(db: Database.Database, tenantId: string, leadId: string, now: Date): StageTime[] | undefined {
  const visits = db
    .prepare('SELECT stage, entered_at, left_at FROM funnel_stage_visits WHERE tenant_id = ? AND lead_id = ? ORDER BY seq')
    .all(tenantId, leadId) as StageVisit[];
  return stageTimesFrom(visits, now);
}

/** One visit of a lead to a stage, as funnel_stage_visits holds it. */
export interface StageVisit {
  readonly stage: string;
  readonly entered_at: string;
  readonly left_at: string | null;
}

/** The time-in-stage answer from a lead's visits in order (undefined: no such lead). */
export function stageTimesFrom(visits: readonly StageVisit[], now: Date): StageTime[] | undefined {
  if (visits.length === 0) return undefined;
  const byStage = new Map<string, StageTime>();
  for (const v of visits) {
    const length = Date.parse(v.left_at ?? now.toISOString()) - Date.parse(v.entered_at);
    const prior = byStage.get(v.stage);
    byStage.set(v.stage, {
      stage: v.stage,
      visits: (prior?.visits ?? 0) + 1,
      firstEnteredAt: prior?.firstEnteredAt ?? v.entered_at,
      lastEnteredAt: v.entered_at,
      lastLeftAt: v.left_at,
      latestMs: length,
      cumulativeMs: (prior?.cumulativeMs ?? 0) + length,
    });
  }
  return [...byStage.values()];
}
