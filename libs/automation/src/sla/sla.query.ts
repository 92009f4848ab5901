import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { AUTOMATION_CONTEXT } from '../automation.tokens';
import type { AutomationContext } from '../automation-part';
import { SlaStateStore } from './sla-state.store';

/** Which SLAs a report covers: those started in `[from, to)`, of leads captured from `channel`. */
export interface SlaFilter {
  readonly from?: string;
  readonly to?: string;
  readonly channel?: string;
}

export interface OpenSla {
  readonly slaId: string;
  readonly leadId: string;
  readonly policyId: string;
  readonly ownerId: string;
  readonly teamId: string | null;
  readonly channel: string | null;
  readonly startedAt: string;
  readonly dueAt: string;
  /** Due already and not yet breached by the sweeper (it acts within its interval). */
  readonly overdue: boolean;
}

export interface Percentiles {
  /** SLAs whose first sales touch is known. */
  readonly measured: number;
  readonly medianSeconds: number | null;
  readonly p90Seconds: number | null;
}

export interface SlaReport {
  readonly filters: SlaFilter;
  readonly counts: { readonly started: number; readonly open: number; readonly met: number; readonly breached: number; readonly ended: number };
  /** Open SLAs, soonest due first (at most 500). */
  readonly open: OpenSla[];
  readonly breaches: {
    readonly total: number;
    readonly byPolicy: Array<{ readonly policyId: string; readonly breaches: number }>;
    readonly byOwner: Array<{ readonly ownerId: string; readonly breaches: number }>;
  };
  /** From the start of each SLA to the first sales touch while it was the lead's current SLA (met, or late after a breach). */
  readonly timeToFirstTouch: Percentiles;
}

const OPEN_LIMIT = 500;

/** Median (mean of the two middle values for an even count) and p90 (nearest rank) of `values`, in seconds. */
export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { measured: 0, medianSeconds: null, p90Seconds: null };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const p90 = sorted[Math.max(0, Math.ceil(sorted.length * 0.9) - 1)];
  return { measured: sorted.length, medianSeconds: Math.round(median), p90Seconds: Math.round(p90) };
}

/** The SLA report of one tenant from the SLA reaction's state (see SlaStateStore). */
export function querySla(db: Database.Database, tenantId: string, filter: SlaFilter, now: Date): SlaReport {
  const clauses = ['tenant_id = ?'];
  const params: unknown[] = [tenantId];
  if (filter.from) {
    clauses.push('started_at >= ?');
    params.push(new Date(filter.from).toISOString());
  }
  if (filter.to) {
    clauses.push('started_at < ?');
    params.push(new Date(filter.to).toISOString());
  }
  if (filter.channel) {
    clauses.push('channel = ?');
    params.push(filter.channel);
  }
  const where = clauses.join(' AND ');
  const all = <T>(sql: string, ...extra: unknown[]) => db.prepare(sql).all(...params, ...extra) as T[];

  const counts = all<{ status: string; n: number }>(`SELECT status, count(*) AS n FROM slas WHERE ${where} GROUP BY status`);
  const count = (status: string) => counts.find((c) => c.status === status)?.n ?? 0;
  const open = all<Record<string, string | null>>(
    `SELECT sla_id, lead_id, policy_id, owner_id, team_id, channel, started_at, due_at FROM slas WHERE ${where} AND status = 'open' ORDER BY due_at, sla_id LIMIT ?`,
    OPEN_LIMIT,
  );
  const byPolicy = all<{ policyId: string; breaches: number }>(
    `SELECT policy_id AS policyId, count(*) AS breaches FROM slas WHERE ${where} AND status = 'breached' GROUP BY policy_id ORDER BY breaches DESC, policy_id`,
  );
  const byOwner = all<{ ownerId: string; breaches: number }>(
    `SELECT owner_id AS ownerId, count(*) AS breaches FROM slas WHERE ${where} AND status = 'breached' GROUP BY owner_id ORDER BY breaches DESC, owner_id`,
  );
  const touches = all<{ ms: number }>(
    `SELECT (julianday(first_touch_at) - julianday(started_at)) * 86400000.0 AS ms FROM slas WHERE ${where} AND first_touch_at IS NOT NULL`,
  );
  const nowIso = now.toISOString();
  return {
    filters: filter,
    counts: { started: counts.reduce((a, c) => a + c.n, 0), open: count('open'), met: count('met'), breached: count('breached'), ended: count('ended') },
    open: open.map((r) => ({
      slaId: r.sla_id!,
      leadId: r.lead_id!,
      policyId: r.policy_id!,
      ownerId: r.owner_id!,
      teamId: r.team_id,
      channel: r.channel,
      startedAt: r.started_at!,
      dueAt: r.due_at!,
      overdue: r.due_at! <= nowIso,
    })),
    breaches: { total: count('breached'), byPolicy, byOwner },
    timeToFirstTouch: percentiles(touches.map((t) => t.ms / 1000)),
  };
}

/**
 * GET /v1/sla's reads, on the SLA reaction's state file in the data folder, through a connection of its
 * own wherever the reaction runs (this thread with PROCESSORS_IN=main, the processor worker otherwise):
 * WAL readers see the reaction's last commit and never block its writes. The connection is opened on the
 * first read (the API may answer before the worker made the file; creating the schema is idempotent on
 * both sides) and is then made query-only, so the reads can never write the reaction's state.
 */
@Injectable()
export class SlaQuery implements OnModuleDestroy {
  private state?: SlaStateStore;

  constructor(@Inject(AUTOMATION_CONTEXT) private readonly context: AutomationContext) {}

  /** The SLA report of `tenantId` for the SLAs `filter` selects, `overdue` judged by the clock. */
  report(tenantId: string, filter: SlaFilter): SlaReport {
    if (!this.state) {
      this.state = SlaStateStore.inDataDir(this.context.dataDir);
      this.state.db.pragma('query_only = ON');
    }
    return querySla(this.state.db, tenantId, filter, this.context.clock.now());
  }

  onModuleDestroy(): void {
    this.state?.close();
  }
}
