import type Database from 'better-sqlite3';
import { type CustomStages, funnelPathOf } from '@lead-lifecycle/domain';
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

/** Per stage: the built-in ones always, and the host's own (FunnelOptions.stages) by name. */
type StageCounts = Record<FunnelStage | 'nurturing' | 'disqualified', number> & Readonly<Record<string, number>>;

/** How the funnel is read: the host's own stages to count (the lifecycle configuration's `stages`; default none). */
export interface FunnelOptions {
  readonly stages?: CustomStages;
}

/**
 * The host's stages a funnel answer counts, in path order, each with the SQL column suffix its counts
 * are read under (by position: the names stay parameters, never SQL).
 */
export function customFunnelStages(options: FunnelOptions = {}): { readonly name: string; readonly column: string }[] {
  const stages = options.stages ?? { beforeLead: [], afterCustomer: [] };
  return [...stages.beforeLead, ...stages.afterCustomer].map((name, i) => ({ name, column: `custom_${i}` }));
}

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

/** Step by step along `path` (a host's stages included for any path), and lead to customer. */
function conversions(reached: Readonly<Record<string, number>>, path: readonly string[] = FUNNEL_STAGES): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (let i = 0; i + 1 < path.length; i++) {
    out[`${path[i]}_to_${path[i + 1]}`] = rate(reached[path[i + 1]], reached[path[i]]);
  }
  out.lead_to_customer = rate(reached.customer, reached.lead);
  return out;
}

/** Counts per stage for a cohort of leads (by capture time), optionally grouped by channel or campaign. */
export function queryFunnel(db: Database.Database, query: FunnelQuery, options: FunnelOptions = {}): FunnelGroup[] {
  const where = cohortWhere(query);
  const all = [...FUNNEL_STAGES, 'nurturing', 'disqualified'] as const;
  const custom = customFunnelStages(options);
  const key = query.groupBy ? `l.${query.groupBy}` : 'NULL';
  const columns = [
    ...all.map((s) => `sum(l.reached_${s} IS NOT NULL) AS reached_${s}`),
    ...FUNNEL_STAGES.map((s) => `sum(l.strict_${s}) AS strict_${s}`),
    ...all.map((s) => `sum(l.stage = '${s}') AS current_${s}`),
    ...custom.flatMap((c) => [
      `sum(EXISTS (SELECT 1 FROM funnel_custom_stages c WHERE c.lead_id = l.lead_id AND c.stage = ?)) AS reached_${c.column}`,
      `sum(l.stage = ?) AS current_${c.column}`,
    ]),
  ];
  const rows = db
    .prepare(`SELECT ${key} AS grp, ${columns.join(', ')} FROM funnel_leads l WHERE ${where.sql} GROUP BY grp ORDER BY grp`)
    .all(...custom.flatMap((c) => [c.name, c.name]), ...where.params) as Array<Record<string, number | string | null>>;
  return funnelGroupsFrom(rows, query, options);
}

/**
 * The groups of a funnel answer from its SQL rows (one per group: `grp`, `reached_*`, `strict_*`,
 * `current_*`, and for the host's stages `reached_custom_<i>`, `current_custom_<i>`), whichever store
 * read them. The host's stages count for any path, not in order: the strict path is the built-in one.
 */
export function funnelGroupsFrom(rows: Array<Record<string, number | string | null>>, query: FunnelQuery, options: FunnelOptions = {}): FunnelGroup[] {
  const all = [...FUNNEL_STAGES, 'nurturing', 'disqualified'] as const;
  const custom = customFunnelStages(options);
  const path = funnelPathOf(options.stages ?? { beforeLead: [], afterCustomer: [] });
  if (rows.length === 0 && !query.groupBy) rows.push({ grp: null });
  return rows.map((row) => {
    const n = (column: string) => Number(row[column] ?? 0);
    const counts = (prefix: string) =>
      ({
        ...Object.fromEntries(all.map((s) => [s, n(`${prefix}_${s}`)])),
        ...Object.fromEntries(custom.map((c) => [c.name, n(`${prefix}_${c.column}`)])),
      }) as StageCounts;
    const anyPath = counts('reached');
    const inOrder = Object.fromEntries(FUNNEL_STAGES.map((s) => [s, n(`strict_${s}`)])) as Record<FunnelStage, number>;
    return {
      key: (row.grp as string | null) ?? null,
      reached: { anyPath, inOrder },
      current: counts('current'),
      conversion: { anyPath: conversions(anyPath, path), inOrder: conversions(inOrder) },
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
