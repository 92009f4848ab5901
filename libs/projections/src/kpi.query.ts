import type Database from 'better-sqlite3';
import { FUNNEL_STAGES } from './lead-stage-transitions';
import { DEFAULT_LIFECYCLE_CONFIG, fromMinorUnits, minorUnitsOf, type CustomStages, funnelPathOf } from '@lead-lifecycle/domain';
import { type CohortFilter, cohortWhere } from './funnel.query';
import { exactSum, splitSum } from './read-model-money';

export interface Duration {
  readonly count: number;
  readonly averageMs: number | null;
  readonly medianMs: number | null;
}

/** Time from a lead's first assignment to its first sales touch, over the leads that had both. */
export interface SpeedToLead {
  readonly measured: number;
  readonly medianSeconds: number | null;
  readonly p90Seconds: number | null;
}

export interface Kpis {
  readonly key: string | null;
  readonly leadsCaptured: number;
  readonly conversion: {
    readonly mqlToSql: number | null;
    readonly sqlToOpportunity: number | null;
    readonly opportunityToWon: number | null;
  };
  readonly winRate: number | null;
  readonly opportunities: { readonly open: number; readonly won: number; readonly lost: number };
  readonly timeInStage: Record<string, Duration>;
  readonly leadToCustomer: Duration;
  /** Open amounts by currency, summed exactly in minor units and given in major units. */
  readonly pipelineValue: Record<string, number>;
  /** Won amounts by currency, exact like pipelineValue. */
  readonly wonRevenue: Record<string, number>;
  readonly acquisition: {
    readonly totalCost: number;
    readonly leadsWithCost: number;
    readonly costPerLead: number | null;
    readonly costPerCustomer: number | null;
    readonly returnOnSpend: Record<string, number> | null;
  };
  readonly disqualificationReasons: Record<string, number>;
  readonly lossReasons: Record<string, number>;
  readonly speedToLead: SpeedToLead;
}

/**
 * How the KPIs are read: which activity types are sales touches (the lifecycle configuration's
 * `sla.touchTypes`), and the host's own stages whose time in stage is reported (its `stages`; default none).
 */
export interface KpiOptions {
  readonly touchTypes: readonly string[];
  readonly stages?: CustomStages;
}

export interface KpiReport {
  readonly overall: Kpis;
  readonly byChannel: Kpis[];
  readonly byCampaign: Kpis[];
}

const rate = (num: number, den: number) => (den === 0 ? null : Math.round((num / den) * 10000) / 10000);
const round2 = (n: number) => Math.round(n * 100) / 100;
/** Costs are cents (2 decimals): they have no currency of their own. */
const COST_DECIMALS = 2;

function duration(values: number[]): Duration {
  if (values.length === 0) return { count: 0, averageMs: null, medianMs: null };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { count: values.length, averageMs: Math.round(values.reduce((a, b) => a + b, 0) / values.length), medianMs: Math.round(median) };
}

/** Median (mean of the two middle values for an even count) and p90 (nearest rank), rounded to whole seconds. */
function speedToLead(seconds: number[]): SpeedToLead {
  if (seconds.length === 0) return { measured: 0, medianSeconds: null, p90Seconds: null };
  const sorted = [...seconds].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { measured: sorted.length, medianSeconds: Math.round(median), p90Seconds: Math.round(sorted[Math.ceil(sorted.length * 0.9) - 1]) };
}

type Group = 'overall' | 'channel' | 'campaign';

const DEFAULT_KPI_OPTIONS: KpiOptions = { touchTypes: DEFAULT_LIFECYCLE_CONFIG.sla.touchTypes };

/** KPIs of a cohort of leads (captured in the period), overall and per channel and per campaign. */
export function queryKpis(db: Database.Database, filter: CohortFilter, options: KpiOptions = DEFAULT_KPI_OPTIONS): KpiReport {
  return {
    overall: compute(db, filter, options, 'overall', true)[0],
    byChannel: compute(db, filter, options, 'channel'),
    byCampaign: compute(db, filter, options, 'campaign'),
  };
}

function compute(db: Database.Database, filter: CohortFilter, options: KpiOptions, group: Group, emptyRow = false): Kpis[] {
  const where = cohortWhere(filter);
  const key = group === 'overall' ? 'NULL' : `l.${group}`;
  const all = <T>(sql: string) => db.prepare(sql).all(...where.params) as T[];
  // Money sums are read as bigint (safe integers) and joined exactly; see read-model-money.ts.
  const exact = <T>(sql: string) => db.prepare(sql).safeIntegers(true).all(...where.params) as T[];

  const leads = exact<Record<string, bigint | string | null>>(`
    SELECT ${key} AS grp, count(*) AS leads, sum(l.reached_mql IS NOT NULL) AS mql, sum(l.reached_sql IS NOT NULL) AS sql_,
      sum(l.reached_opportunity IS NOT NULL) AS opp, sum(l.reached_customer IS NOT NULL) AS customers,
      ${splitSum('l.cost_cents', 'cost')}, sum(l.cost_cents IS NOT NULL) AS with_cost,
      sum(l.cost_cents IS NOT NULL AND l.reached_customer IS NOT NULL) AS customers_with_cost
    FROM funnel_leads l WHERE ${where.sql} GROUP BY grp ORDER BY grp`);
  if (leads.length === 0 && emptyRow) leads.push({ grp: null, leads: 0n });

  type MoneyRow = { grp: unknown; status: string; currency: string; n: bigint } & Record<string, unknown>;
  const opportunities = exact<MoneyRow>(`
    SELECT ${key} AS grp, o.status, o.currency, count(*) AS n, ${splitSum('o.amount_minor', 'amount')}, ${splitSum('o.won_minor', 'won')}
    FROM kpi_opportunities o JOIN funnel_leads l ON l.lead_id = o.lead_id WHERE ${where.sql} GROUP BY grp, o.status, o.currency`);
  const spendRevenue = exact<{ grp: unknown; currency: string } & Record<string, unknown>>(`
    SELECT ${key} AS grp, o.currency, ${splitSum('o.won_minor', 'won')}
    FROM kpi_opportunities o JOIN funnel_leads l ON l.lead_id = o.lead_id
    WHERE ${where.sql} AND o.status = 'won' AND l.cost_cents IS NOT NULL GROUP BY grp, o.currency`);
  const visits = all<{ grp: unknown; stage: string; ms: number }>(`
    SELECT ${key} AS grp, v.stage, (julianday(v.left_at) - julianday(v.entered_at)) * 86400000.0 AS ms
    FROM funnel_stage_visits v JOIN funnel_leads l ON l.lead_id = v.lead_id WHERE ${where.sql} AND v.left_at IS NOT NULL`);
  const cycles = all<{ grp: unknown; ms: number }>(`
    SELECT ${key} AS grp, (julianday(l.reached_customer) - julianday(l.captured_at)) * 86400000.0 AS ms
    FROM funnel_leads l WHERE ${where.sql} AND l.reached_customer IS NOT NULL`);
  const reasons = all<{ grp: unknown; kind: string; reason: string; n: number }>(`
    SELECT ${key} AS grp, r.kind, r.reason, count(*) AS n
    FROM kpi_reasons r JOIN funnel_leads l ON l.lead_id = r.lead_id WHERE ${where.sql} GROUP BY grp, r.kind, r.reason ORDER BY n DESC, r.reason`);
  // Per lead: its first assignment and its first sales touch at or after it; the difference exactly, from the instants.
  const touchTypes = options.touchTypes.length ? options.touchTypes : [''];
  const firstTouches = db
    .prepare(
      `SELECT ${key} AS grp, a.assigned_at AS assignedAt, min(t.first_at) AS touchedAt
       FROM kpi_first_assignments a JOIN funnel_leads l ON l.lead_id = a.lead_id JOIN kpi_first_activities t ON t.lead_id = a.lead_id
       WHERE ${where.sql} AND t.activity_type IN (${touchTypes.map(() => '?').join(', ')}) GROUP BY a.lead_id`,
    )
    .all(...where.params, ...touchTypes) as Array<{ grp: unknown; assignedAt: string; touchedAt: string }>;
  return kpisFrom({ leads, opportunities, spendRevenue, visits, cycles, reasons, firstTouches }, options.stages);
}

type GroupRow = { grp: unknown } & Record<string, unknown>;

/**
 * The rows a KPI answer is made of, one set per SQL read, whichever store read them: counts as numbers
 * or bigints, money as the two partial sums of {@link splitSum} (bigint, number or numeric text), times as text.
 */
export interface KpiRows {
  readonly leads: Array<Record<string, bigint | number | string | null>>;
  readonly opportunities: Array<GroupRow & { status: string; currency: string; n: bigint | number }>;
  readonly spendRevenue: Array<GroupRow & { currency: string }>;
  readonly visits: Array<{ grp: unknown; stage: string; ms: number }>;
  readonly cycles: Array<{ grp: unknown; ms: number }>;
  readonly reasons: Array<{ grp: unknown; kind: string; reason: string; n: number }>;
  readonly firstTouches: Array<{ grp: unknown; assignedAt: string; touchedAt: string }>;
}

/** The KPIs of each group (the `leads` rows, in their order) from the rows of {@link KpiRows}. */
export function kpisFrom({ leads, opportunities, spendRevenue, visits, cycles, reasons, firstTouches }: KpiRows, stages?: CustomStages): Kpis[] {
  // A group key as the store returns it: text or a number.
  const keyOf = (value: unknown) => (value === null || value === undefined ? null : `${value as string | number | bigint}`);
  const major = (minor: bigint, currency: string) => fromMinorUnits(minor, minorUnitsOf(currency));
  return leads.map((row) => {
    const grp = keyOf(row.grp);
    const mine = <T extends { grp: unknown }>(rows: T[]) => rows.filter((r) => keyOf(r.grp) === grp);
    const n = (column: string) => Number(row[column] ?? 0);
    const opps = mine(opportunities);
    const count = (status: string) => opps.filter((o) => o.status === status).reduce((a, o) => a + Number(o.n), 0);
    // One row per group, status and currency: each sum is already exact; only the unit changes here.
    const sumBy = (status: string, alias: 'amount' | 'won') =>
      Object.fromEntries(opps.filter((o) => o.status === status).map((o) => [o.currency, major(exactSum(o, alias), o.currency)])) as Record<string, number>;
    const won = count('won');
    const lost = count('lost');
    const cost = fromMinorUnits(exactSum(row, 'cost'), COST_DECIMALS);
    const revenueFromSpend = mine(spendRevenue);
    const stageVisits = mine(visits);
    const reasonRows = mine(reasons);
    const reasonsOf = (kind: string) =>
      Object.fromEntries(reasonRows.filter((r) => r.kind === kind).map((r) => [r.reason, r.n])) as Record<string, number>;
    return {
      key: grp,
      leadsCaptured: n('leads'),
      conversion: {
        mqlToSql: rate(n('sql_'), n('mql')),
        sqlToOpportunity: rate(n('opp'), n('sql_')),
        opportunityToWon: rate(n('customers'), n('opp')),
      },
      winRate: rate(won, won + lost),
      opportunities: { open: count('open'), won, lost },
      timeInStage: Object.fromEntries(
        [...(stages ? funnelPathOf(stages) : FUNNEL_STAGES), 'nurturing', 'disqualified'].map((s) => [s, duration(stageVisits.filter((v) => v.stage === s).map((v) => v.ms))]),
      ),
      leadToCustomer: duration(mine(cycles).map((c) => c.ms)),
      pipelineValue: sumBy('open', 'amount'),
      wonRevenue: sumBy('won', 'won'),
      acquisition: {
        totalCost: cost,
        leadsWithCost: n('with_cost'),
        costPerLead: n('with_cost') ? round2(cost / n('with_cost')) : null,
        costPerCustomer: n('customers_with_cost') ? round2(cost / n('customers_with_cost')) : null,
        returnOnSpend:
          cost > 0 ? Object.fromEntries(revenueFromSpend.map((r) => [r.currency, Math.round((major(exactSum(r, 'won'), r.currency) / cost) * 10000) / 10000])) : null,
      },
      disqualificationReasons: reasonsOf('disqualification'),
      lossReasons: reasonsOf('loss'),
      speedToLead: speedToLead(mine(firstTouches).map((f) => (Date.parse(f.touchedAt) - Date.parse(f.assignedAt)) / 1000)),
    };
  });
}
