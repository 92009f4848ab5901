import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { QueueReason, RoutingStrategy } from '@lead-lifecycle/domain';
import { SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import type { MemberSnapshot } from './member-picker';

/** The routing reaction's state file in the data folder (its checkpoint is in it too). */
export const routingStateFile = (dataDir: string) => join(dataDir, 'routing.sqlite');

/** A lead as routing keeps it: its owner, whether it is still worked, and its place in the queue. */
export interface RoutedLead {
  readonly tenantId: string;
  readonly leadId: string;
  readonly ownerId?: string;
  readonly open: boolean;
  /** The team and strategy of the current assignment, when a team rule made it. */
  readonly teamId?: string;
  readonly strategy?: RoutingStrategy;
  readonly queue?: QueueEntry;
}

export interface QueueEntry {
  readonly reason: QueueReason;
  readonly since: string;
  readonly ruleId?: string;
  readonly teamId?: string;
  readonly strategy?: RoutingStrategy;
}

/** A queued lead with its tenant, for the queue read and its retry. */
export interface QueuedLead extends QueueEntry {
  readonly leadId: string;
  readonly ownerId?: string;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS routing_teams (
    tenant_id TEXT NOT NULL, team_id TEXT NOT NULL, rr_cursor INTEGER, next_ordinal INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, team_id));
  CREATE TABLE IF NOT EXISTS routing_members (
    tenant_id TEXT NOT NULL, team_id TEXT NOT NULL, owner_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
    capacity INTEGER, weight INTEGER NOT NULL, available INTEGER NOT NULL, until TEXT, swrr_current INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, team_id, owner_id));
  CREATE INDEX IF NOT EXISTS routing_members_by_owner ON routing_members (tenant_id, owner_id);
  CREATE INDEX IF NOT EXISTS routing_members_away ON routing_members (until) WHERE available = 0 AND until IS NOT NULL;
  CREATE TABLE IF NOT EXISTS routing_leads (
    tenant_id TEXT NOT NULL, lead_id TEXT NOT NULL, owner_id TEXT, open INTEGER NOT NULL, team_id TEXT, strategy TEXT,
    queue_reason TEXT, queue_since TEXT, queue_rule_id TEXT, queue_team_id TEXT, queue_strategy TEXT,
    PRIMARY KEY (tenant_id, lead_id));
  CREATE INDEX IF NOT EXISTS routing_leads_by_owner ON routing_leads (tenant_id, owner_id) WHERE open = 1;
  CREATE INDEX IF NOT EXISTS routing_leads_queue ON routing_leads (tenant_id, queue_since, lead_id) WHERE queue_reason IS NOT NULL;
`;

type LeadRow = {
  tenant_id: string;
  lead_id: string;
  owner_id: string | null;
  open: number;
  team_id: string | null;
  strategy: string | null;
  queue_reason: string | null;
  queue_since: string | null;
  queue_rule_id: string | null;
  queue_team_id: string | null;
  queue_strategy: string | null;
};
type MemberRow = {
  owner_id: string;
  ordinal: number;
  capacity: number | null;
  weight: number;
  available: number;
  until: string | null;
  swrr_current: number;
  open_leads: number;
};

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

/**
 * The routing reaction's state in SQLite: team membership, the strategies' cursors, every lead's owner,
 * whether it is open, and the queue. The reaction changes it only inside the transaction that moves its
 * checkpoint (same file), so the state is always the fold of the log up to the checkpoint plus the
 * decisions taken for it. The reads of the API open the same file on a connection of their own.
 */
export class RoutingStateStore {
  readonly checkpoints: SqliteCheckpointStore;
  readonly db: Database.Database;

  constructor(filename: string) {
    this.checkpoints = new SqliteCheckpointStore(filename);
    this.db = this.checkpoints.db;
    this.db.exec(SCHEMA);
  }

  static inDataDir(dataDir: string): RoutingStateStore {
    return new RoutingStateStore(routingStateFile(dataDir));
  }

  // ---- teams ------------------------------------------------------------------------------------

  addMember(tenantId: string, teamId: string, ownerId: string, capacity: number | undefined, weight: number): void {
    this.db.prepare('INSERT INTO routing_teams (tenant_id, team_id) VALUES (?, ?) ON CONFLICT DO NOTHING').run(tenantId, teamId);
    const { next_ordinal: ordinal } = this.db
      .prepare('UPDATE routing_teams SET next_ordinal = next_ordinal + 1 WHERE tenant_id = ? AND team_id = ? RETURNING next_ordinal - 1 AS next_ordinal')
      .get(tenantId, teamId) as { next_ordinal: number };
    this.db
      .prepare(
        `INSERT INTO routing_members (tenant_id, team_id, owner_id, ordinal, capacity, weight, available, until, swrr_current)
         VALUES (?, ?, ?, ?, ?, ?, 1, NULL, 0)
         ON CONFLICT (tenant_id, team_id, owner_id) DO UPDATE SET ordinal = excluded.ordinal, capacity = excluded.capacity,
           weight = excluded.weight, available = 1, until = NULL, swrr_current = 0`,
      )
      .run(tenantId, teamId, ownerId, ordinal, capacity ?? null, weight);
  }

  removeMember(tenantId: string, teamId: string, ownerId: string): void {
    this.db.prepare('DELETE FROM routing_members WHERE tenant_id = ? AND team_id = ? AND owner_id = ?').run(tenantId, teamId, ownerId);
  }

  setAvailability(tenantId: string, teamId: string, ownerId: string, available: boolean, until: string | undefined): void {
    this.db
      .prepare('UPDATE routing_members SET available = ?, until = ? WHERE tenant_id = ? AND team_id = ? AND owner_id = ?')
      .run(available ? 1 : 0, available ? null : (until ?? null), tenantId, teamId, ownerId);
  }

  /** The team's members with their open leads, in joining order. */
  members(tenantId: string, teamId: string): MemberSnapshot[] {
    const rows = this.db
      .prepare(
        `SELECT m.owner_id, m.ordinal, m.capacity, m.weight, m.available, m.until, m.swrr_current,
           (SELECT COUNT(*) FROM routing_leads l WHERE l.tenant_id = m.tenant_id AND l.owner_id = m.owner_id AND l.open = 1) AS open_leads
         FROM routing_members m WHERE m.tenant_id = ? AND m.team_id = ? ORDER BY m.ordinal`,
      )
      .all(tenantId, teamId) as MemberRow[];
    return rows.map((r) => ({
      ownerId: r.owner_id,
      ordinal: r.ordinal,
      capacity: orUndefined(r.capacity),
      weight: r.weight,
      available: r.available === 1,
      until: orUndefined(r.until),
      openLeads: r.open_leads,
      swrrCurrent: r.swrr_current,
    }));
  }

  /** The teams `ownerId` is a member of. */
  teamsOf(tenantId: string, ownerId: string): string[] {
    return (this.db.prepare('SELECT team_id FROM routing_members WHERE tenant_id = ? AND owner_id = ? ORDER BY team_id').pluck().all(tenantId, ownerId) as string[]);
  }

  cursor(tenantId: string, teamId: string): number | undefined {
    const value = this.db.prepare('SELECT rr_cursor FROM routing_teams WHERE tenant_id = ? AND team_id = ?').pluck().get(tenantId, teamId) as number | null | undefined;
    return value ?? undefined;
  }

  setCursor(tenantId: string, teamId: string, cursor: number): void {
    this.db.prepare('INSERT INTO routing_teams (tenant_id, team_id) VALUES (?, ?) ON CONFLICT DO NOTHING').run(tenantId, teamId);
    this.db.prepare('UPDATE routing_teams SET rr_cursor = ? WHERE tenant_id = ? AND team_id = ?').run(cursor, tenantId, teamId);
  }

  setSwrrCurrents(tenantId: string, teamId: string, currents: ReadonlyMap<string, number>): void {
    const update = this.db.prepare('UPDATE routing_members SET swrr_current = ? WHERE tenant_id = ? AND team_id = ? AND owner_id = ?');
    for (const [ownerId, current] of currents) update.run(current, tenantId, teamId, ownerId);
  }

  /** Away periods with an end at or before `now`: what the sweeper records the return of. */
  awayPeriodsEndedBy(now: string): Array<{ tenantId: string; teamId: string; ownerId: string; until: string }> {
    return (
      this.db
        .prepare('SELECT tenant_id, team_id, owner_id, until FROM routing_members WHERE available = 0 AND until IS NOT NULL AND until <= ? ORDER BY until, tenant_id, team_id, owner_id')
        .all(now) as Array<{ tenant_id: string; team_id: string; owner_id: string; until: string }>
    ).map((r) => ({ tenantId: r.tenant_id, teamId: r.team_id, ownerId: r.owner_id, until: r.until }));
  }

  // ---- leads ------------------------------------------------------------------------------------

  lead(tenantId: string, leadId: string): RoutedLead | undefined {
    const row = this.db.prepare('SELECT * FROM routing_leads WHERE tenant_id = ? AND lead_id = ?').get(tenantId, leadId) as LeadRow | undefined;
    return row && toLead(row);
  }

  captureLead(tenantId: string, leadId: string): void {
    this.db.prepare('INSERT INTO routing_leads (tenant_id, lead_id, open) VALUES (?, ?, 1) ON CONFLICT DO NOTHING').run(tenantId, leadId);
  }

  setOpen(tenantId: string, leadId: string, open: boolean): void {
    this.db.prepare('UPDATE routing_leads SET open = ? WHERE tenant_id = ? AND lead_id = ?').run(open ? 1 : 0, tenantId, leadId);
  }

  /** The lead's owner, with the team and strategy that chose it (none for a manual one); leaves the queue. */
  assign(tenantId: string, leadId: string, ownerId: string, teamId?: string, strategy?: RoutingStrategy): void {
    this.captureLead(tenantId, leadId);
    this.db
      .prepare(
        `UPDATE routing_leads SET owner_id = ?, team_id = ?, strategy = ?, queue_reason = NULL, queue_since = NULL, queue_rule_id = NULL,
           queue_team_id = NULL, queue_strategy = NULL WHERE tenant_id = ? AND lead_id = ?`,
      )
      .run(ownerId, teamId ?? null, strategy ?? null, tenantId, leadId);
  }

  /** The lead waits in the queue (an entry already there keeps its time, so the queue stays oldest first). */
  enqueue(tenantId: string, leadId: string, entry: QueueEntry): void {
    this.captureLead(tenantId, leadId);
    this.db
      .prepare(
        `UPDATE routing_leads SET queue_reason = ?, queue_since = COALESCE(queue_since, ?), queue_rule_id = ?, queue_team_id = ?,
           queue_strategy = COALESCE(?, queue_strategy) WHERE tenant_id = ? AND lead_id = ?`,
      )
      .run(entry.reason, entry.since, entry.ruleId ?? null, entry.teamId ?? null, entry.strategy ?? null, tenantId, leadId);
  }

  /**
   * The leads waiting for a member of `teamId`, oldest first: what a retry routes. Unowned leads queued
   * for want of an eligible member, and leads whose owner left the team or went away indefinitely
   * (`owner_unavailable`, still showing that owner).
   */
  waitingFor(tenantId: string, teamId: string): QueuedLead[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM routing_leads WHERE tenant_id = ? AND queue_team_id = ? AND open = 1
           AND ((queue_reason = 'no_eligible_member' AND owner_id IS NULL) OR queue_reason = 'owner_unavailable')
         ORDER BY queue_since, lead_id`,
      )
      .all(tenantId, teamId) as LeadRow[];
    return rows.map(toQueued);
  }

  /**
   * The open leads `ownerId` got by routing in `teamId` (a team rule, an escalation or a move: only those
   * carry the team; a manual assignment and a rule naming an owner directly carry none), by lead id.
   */
  routedLeadsOf(tenantId: string, teamId: string, ownerId: string): RoutedLead[] {
    const rows = this.db
      .prepare('SELECT * FROM routing_leads WHERE tenant_id = ? AND owner_id = ? AND team_id = ? AND open = 1 ORDER BY lead_id')
      .all(tenantId, ownerId, teamId) as LeadRow[];
    return rows.map(toLead);
  }

  /**
   * `ownerId` is back in `teamId` (available again, or added anew): its leads waiting there as
   * `owner_unavailable` are its own again and leave the queue (the lead's owner never changed).
   */
  releaseToReturnedOwner(tenantId: string, teamId: string, ownerId: string): void {
    this.db
      .prepare(
        `UPDATE routing_leads SET queue_reason = NULL, queue_since = NULL, queue_rule_id = NULL, queue_team_id = NULL, queue_strategy = NULL
         WHERE tenant_id = ? AND owner_id = ? AND queue_team_id = ? AND queue_reason = 'owner_unavailable'`,
      )
      .run(tenantId, ownerId, teamId);
  }

  /** The tenant's queue, oldest first. */
  queue(tenantId: string, limit: number): QueuedLead[] {
    const rows = this.db
      .prepare('SELECT * FROM routing_leads WHERE tenant_id = ? AND queue_reason IS NOT NULL AND open = 1 ORDER BY queue_since, lead_id LIMIT ?')
      .all(tenantId, limit) as LeadRow[];
    return rows.map(toQueued);
  }

  /** The open leads of an owner, by lead id. */
  openLeadsOf(tenantId: string, ownerId: string): string[] {
    return this.db.prepare('SELECT lead_id FROM routing_leads WHERE tenant_id = ? AND owner_id = ? AND open = 1 ORDER BY lead_id').pluck().all(tenantId, ownerId) as string[];
  }

  close(): void {
    this.checkpoints.close();
  }
}

function toLead(row: LeadRow): RoutedLead {
  return {
    tenantId: row.tenant_id,
    leadId: row.lead_id,
    ownerId: orUndefined(row.owner_id),
    open: row.open === 1,
    teamId: orUndefined(row.team_id),
    strategy: orUndefined(row.strategy) as RoutingStrategy | undefined,
    queue: row.queue_reason === null ? undefined : queueEntryOf(row),
  };
}

function queueEntryOf(row: LeadRow): QueueEntry {
  return {
    reason: row.queue_reason as QueueReason,
    since: row.queue_since ?? '',
    ruleId: orUndefined(row.queue_rule_id),
    teamId: orUndefined(row.queue_team_id),
    strategy: orUndefined(row.queue_strategy) as RoutingStrategy | undefined,
  };
}

function toQueued(row: LeadRow): QueuedLead {
  return { leadId: row.lead_id, ownerId: orUndefined(row.owner_id), ...queueEntryOf(row) };
}
