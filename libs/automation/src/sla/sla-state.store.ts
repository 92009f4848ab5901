import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { SlaTrack, TrackedSla } from '@lead-lifecycle/domain';
import { type GlobalPosition, positionFromString, positionToString, preparePrivateDatabase } from '@lead-lifecycle/eventing';

/** The SLA reaction's file in the data folder. */
export const SLA_STATE_FILE = 'sla.sqlite';

/** One SLA as the state file holds it: the tracked SLA, its lead, tenant and channel. */
export interface SlaRow extends TrackedSla {
  readonly tenantId: string;
  readonly leadId: string;
  readonly channel?: string;
}

/**
 * The SLA reaction's state, in `sla.sqlite` of the data folder: each lead's track (JSON), one row per
 * SLA (open ones with their due times, for the breach sweeper and GET /v1/sla), and the position up to
 * which the log is folded into them. Tracks, rows and position change in one transaction, so after any
 * crash the state is exactly the fold of the log up to the stored position; the reaction skips what it
 * already folded when the runner's own checkpoint (saved after the batch) lags behind.
 */
export class SlaStateStore {
  readonly db: Database.Database;
  private readonly readTrack: Database.Statement;
  private readonly writeTrack: Database.Statement;
  private readonly writeSla: Database.Statement;
  private readonly readPosition: Database.Statement;
  private readonly writePosition: Database.Statement;

  constructor(filename: string) {
    // Owner only, like every file of the data folder.
    preparePrivateDatabase(filename);
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    // As for the read models: a power cut loses at most the last commits, which the log then redoes.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS sla_position (name TEXT PRIMARY KEY, position TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS sla_tracks (lead_id TEXT PRIMARY KEY, track TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS slas (
        sla_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, lead_id TEXT NOT NULL, channel TEXT, policy_id TEXT NOT NULL,
        owner_id TEXT NOT NULL, team_id TEXT, started_at TEXT NOT NULL, due_at TEXT NOT NULL, on_breach TEXT NOT NULL,
        reassignments INTEGER NOT NULL, assignment_event_id TEXT NOT NULL, correlation_id TEXT NOT NULL, status TEXT NOT NULL,
        ended_by TEXT, first_touch_at TEXT, touch_type TEXT);
      CREATE INDEX IF NOT EXISTS slas_open_due ON slas (status, due_at);
      CREATE INDEX IF NOT EXISTS slas_tenant_started ON slas (tenant_id, started_at);
    `);
    this.readTrack = this.db.prepare('SELECT track FROM sla_tracks WHERE lead_id = ?').pluck();
    this.readPosition = this.db.prepare('SELECT position FROM sla_position WHERE name = ?').pluck();
    this.writeTrack = this.db.prepare('INSERT INTO sla_tracks (lead_id, track) VALUES (?, ?) ON CONFLICT (lead_id) DO UPDATE SET track = excluded.track');
    this.writePosition = this.db.prepare('INSERT INTO sla_position (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position');
    this.writeSla = this.db.prepare(`
      INSERT INTO slas (sla_id, tenant_id, lead_id, channel, policy_id, owner_id, team_id, started_at, due_at, on_breach, reassignments,
        assignment_event_id, correlation_id, status, ended_by, first_touch_at, touch_type)
      VALUES (@slaId, @tenantId, @leadId, @channel, @policyId, @ownerId, @teamId, @startedAt, @dueAt, @onBreach, @reassignments,
        @assignmentEventId, @correlationId, @status, @endedBy, @firstTouchAt, @touchType)
      ON CONFLICT (sla_id) DO UPDATE SET status = excluded.status, ended_by = excluded.ended_by,
        first_touch_at = excluded.first_touch_at, touch_type = excluded.touch_type`);
  }

  /** The state file of a data folder. */
  static inDataDir(dataDir: string): SlaStateStore {
    return new SlaStateStore(join(dataDir, SLA_STATE_FILE));
  }

  /** Up to where the log is folded into this state (undefined: nothing yet). */
  position(name: string): GlobalPosition | undefined {
    const stored = this.readPosition.get(name) as string | undefined;
    return stored === undefined ? undefined : positionFromString(stored);
  }

  track(leadId: string): SlaTrack | undefined {
    const json = this.readTrack.get(leadId) as string | undefined;
    return json === undefined ? undefined : (JSON.parse(json) as SlaTrack);
  }

  /**
   * Writes the changed tracks, the SLAs that changed (the current ones and those they replaced) and the
   * new position, all or nothing.
   */
  commit(name: string, tracks: ReadonlyMap<string, SlaTrack>, slas: ReadonlyMap<string, { readonly track: SlaTrack; readonly sla: TrackedSla }>, position: GlobalPosition): void {
    this.db
      .transaction(() => {
        for (const [leadId, track] of tracks) this.writeTrack.run(leadId, JSON.stringify(track));
        for (const { track, sla } of slas.values()) this.writeSla.run(rowParams(track, sla));
        this.writePosition.run(name, positionToString(position));
      })
      .immediate();
  }

  /** Open SLAs due at or before `now`, earliest first. */
  dueSlas(now: Date, limit = 500): SlaRow[] {
    const rows = this.db.prepare(`SELECT * FROM slas WHERE status = 'open' AND due_at <= ? ORDER BY due_at, sla_id LIMIT ?`).all(now.toISOString(), limit);
    return (rows as Array<Record<string, string | number | null>>).map(slaRowOf);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function rowParams(track: SlaTrack, sla: TrackedSla): Record<string, unknown> {
  return {
    slaId: sla.slaId,
    tenantId: track.tenantId,
    leadId: track.leadId,
    channel: track.channel ?? null,
    policyId: sla.policyId,
    ownerId: sla.ownerId,
    teamId: sla.teamId ?? null,
    startedAt: sla.startedAt,
    dueAt: sla.dueAt,
    onBreach: sla.onBreach,
    reassignments: sla.reassignments,
    assignmentEventId: sla.assignmentEventId,
    correlationId: sla.correlationId,
    status: sla.status,
    endedBy: sla.endedBy ?? null,
    firstTouchAt: sla.firstTouchAt ?? null,
    touchType: sla.touchType ?? null,
  };
}

/** A row of `slas` back into an SlaRow. */
export function slaRowOf(row: Readonly<Record<string, string | number | null>>): SlaRow {
  const text = (key: string) => (row[key] === null || row[key] === undefined ? undefined : String(row[key]));
  return {
    slaId: String(row.sla_id),
    tenantId: String(row.tenant_id),
    leadId: String(row.lead_id),
    channel: text('channel'),
    policyId: String(row.policy_id),
    ownerId: String(row.owner_id),
    teamId: text('team_id'),
    startedAt: String(row.started_at),
    dueAt: String(row.due_at),
    onBreach: row.on_breach === 'reassign' ? 'reassign' : 'record',
    reassignments: Number(row.reassignments),
    assignmentEventId: String(row.assignment_event_id),
    correlationId: String(row.correlation_id),
    status: row.status as TrackedSla['status'],
    endedBy: text('ended_by') as TrackedSla['endedBy'],
    firstTouchAt: text('first_touch_at'),
    touchType: text('touch_type'),
  };
}
