import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { SlaTrack, TrackedSla } from '@lead-lifecycle/domain';
import { SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import { adoptLegacyPositions } from '../legacy-position.migration';

/** The SLA reaction's file in the data folder (its checkpoint is in it too). */
export const SLA_STATE_FILE = 'sla.sqlite';

/** One SLA as the state file holds it: the tracked SLA, its lead, tenant and channel. */
export interface SlaRow extends TrackedSla {
  readonly tenantId: string;
  readonly leadId: string;
  readonly channel?: string;
}

/**
 * The SLA reaction's state, in `sla.sqlite` of the data folder: each lead's track (JSON), one row per
 * SLA (open ones with their due times, for the breach sweeper and GET /v1/sla), and, like routing's
 * state file, the runner's own checkpoint table (`checkpoints`), which the part hands to the runner.
 * The reaction changes tracks and rows only in the transaction that also moves its checkpoint, so
 * after any crash the state is exactly the fold of the log up to the checkpoint.
 */
export class SlaStateStore {
  readonly checkpoints: SqliteCheckpointStore;
  readonly db: Database.Database;
  private readonly readTrack: Database.Statement;
  private readonly writeTrack: Database.Statement;
  private readonly writeSla: Database.Statement;

  constructor(filename: string) {
    // Owner-only file, WAL, synchronous NORMAL: the checkpoint store's settings, as for routing's file.
    this.checkpoints = new SqliteCheckpointStore(filename);
    this.db = this.checkpoints.db;
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS sla_tracks (lead_id TEXT PRIMARY KEY, track TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS slas (
        sla_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, lead_id TEXT NOT NULL, channel TEXT, policy_id TEXT NOT NULL,
        owner_id TEXT NOT NULL, team_id TEXT, started_at TEXT NOT NULL, due_at TEXT NOT NULL, on_breach TEXT NOT NULL,
        reassignments INTEGER NOT NULL, assignment_event_id TEXT NOT NULL, correlation_id TEXT NOT NULL, status TEXT NOT NULL,
        ended_by TEXT, first_touch_at TEXT, touch_type TEXT);
      CREATE INDEX IF NOT EXISTS slas_open_due ON slas (status, due_at);
      CREATE INDEX IF NOT EXISTS slas_tenant_started ON slas (tenant_id, started_at);
    `);
    // A file written before the checkpoint moved here keeps its position in `sla_position`.
    adoptLegacyPositions(this.checkpoints, 'sla_position');
    this.readTrack = this.db.prepare('SELECT track FROM sla_tracks WHERE lead_id = ?').pluck();
    this.writeTrack = this.db.prepare('INSERT INTO sla_tracks (lead_id, track) VALUES (?, ?) ON CONFLICT (lead_id) DO UPDATE SET track = excluded.track');
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

  track(leadId: string): SlaTrack | undefined {
    const json = this.readTrack.get(leadId) as string | undefined;
    return json === undefined ? undefined : (JSON.parse(json) as SlaTrack);
  }

  /**
   * Writes the changed tracks and the SLAs that changed (the current ones and those they replaced).
   * Only inside the reaction's transaction, which also saves its checkpoint (SlaReaction.handleBatch).
   */
  write(tracks: ReadonlyMap<string, SlaTrack>, slas: ReadonlyMap<string, { readonly track: SlaTrack; readonly sla: TrackedSla }>): void {
    for (const [leadId, track] of tracks) this.writeTrack.run(leadId, JSON.stringify(track));
    for (const { track, sla } of slas.values()) this.writeSla.run(rowParams(track, sla));
  }

  /** Open SLAs due at or before `now`, earliest first. */
  dueSlas(now: Date, limit = 500): SlaRow[] {
    const rows = this.db.prepare(`SELECT * FROM slas WHERE status = 'open' AND due_at <= ? ORDER BY due_at, sla_id LIMIT ?`).all(now.toISOString(), limit);
    return (rows as Array<Record<string, string | number | null>>).map(slaRowOf);
  }

  close(): void {
    this.checkpoints.close();
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
