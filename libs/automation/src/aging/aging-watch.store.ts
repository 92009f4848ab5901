import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import { adoptLegacyPositions } from '../legacy-position.migration';

/** What an aging deadline watches: an opportunity's idle spell, an MQL without a sales touch, a lead's decay, a closed lead's recycling. */
export type AgingWatchKind = 'stall' | 'stale' | 'decay' | 'recycle';

/** One deadline: look at stream `streamId` at `dueAt` (the sweeper decides from the stream itself what, if anything, is due). */
export interface AgingWatch {
  readonly kind: AgingWatchKind;
  readonly streamId: string;
  readonly tenantId: string;
  /** ISO instant, normalised (`YYYY-MM-DDTHH:mm:ss.sssZ`), so text order is time order. */
  readonly dueAt: string;
}

/** The file of the aging reaction's state, in the engine's data folder (its checkpoint is in it too). */
export const AGING_STATE_FILE = 'aging.sqlite';

/**
 * The aging reaction's deadlines and, like routing's state file, the runner's own checkpoint table
 * (`checkpoints`), which the part hands to the runner: the reaction changes the deadlines only in the
 * transaction that also moves its checkpoint, so a crash leaves them in step and no event is applied
 * twice. The sweeper only moves or removes a deadline it has looked at, and only if the reaction did
 * not change it meanwhile.
 */
export class AgingWatchStore {
  readonly checkpoints: SqliteCheckpointStore;
  readonly db: Database.Database;
  private readonly statements: ReturnType<typeof prepare>;

  constructor(filename: string) {
    // Owner-only file, WAL, synchronous NORMAL: the checkpoint store's settings, as for routing's file.
    this.checkpoints = new SqliteCheckpointStore(filename);
    this.db = this.checkpoints.db;
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS aging_watches (
        kind TEXT NOT NULL, stream_id TEXT NOT NULL, tenant_id TEXT NOT NULL, due_at TEXT NOT NULL,
        PRIMARY KEY (kind, stream_id));
      CREATE INDEX IF NOT EXISTS aging_watches_due ON aging_watches (due_at);
    `);
    // A file written before the checkpoint moved here keeps its position in `aging_checkpoint`.
    adoptLegacyPositions(this.checkpoints, 'aging_checkpoint');
    // Prepared once: the reaction runs these for most lead events, beside the projections.
    this.statements = prepare(this.db);
  }

  /** In the data folder `dataDir`. */
  static inDataDir(dataDir: string): AgingWatchStore {
    return new AgingWatchStore(join(dataDir, AGING_STATE_FILE));
  }

  get(kind: AgingWatchKind, streamId: string): AgingWatch | undefined {
    const row = this.statements.get.get(kind, streamId) as WatchRow | undefined;
    return row && watchOf(row);
  }

  /** Sets the deadline (replacing the one there). */
  put(watch: AgingWatch): void {
    this.statements.put.run(watch.kind, watch.streamId, watch.tenantId, watch.dueAt);
  }

  remove(kind: AgingWatchKind, streamId: string): void {
    this.statements.remove.run(kind, streamId);
  }

  /** The deadlines due at `now`, earliest first. */
  due(now: string, limit: number): AgingWatch[] {
    const rows = this.statements.due.all(now, limit) as WatchRow[];
    return rows.map(watchOf);
  }

  all(): AgingWatch[] {
    return (this.db.prepare('SELECT * FROM aging_watches ORDER BY kind, stream_id').all() as WatchRow[]).map(watchOf);
  }

  /**
   * What the sweeper does to a deadline it looked at: moves it to `nextDueAt`, or removes it when
   * absent, but only if it is still the one it read (the reaction may have set a new one meanwhile).
   */
  settle(watch: AgingWatch, nextDueAt: string | undefined): void {
    if (nextDueAt === undefined) {
      this.db.prepare('DELETE FROM aging_watches WHERE kind = ? AND stream_id = ? AND due_at = ?').run(watch.kind, watch.streamId, watch.dueAt);
    } else {
      this.db
        .prepare('UPDATE aging_watches SET due_at = ? WHERE kind = ? AND stream_id = ? AND due_at = ?')
        .run(nextDueAt, watch.kind, watch.streamId, watch.dueAt);
    }
  }

  close(): void {
    this.checkpoints.close();
  }
}

function prepare(db: Database.Database) {
  return {
    get: db.prepare('SELECT * FROM aging_watches WHERE kind = ? AND stream_id = ?'),
    put: db.prepare(
      `INSERT INTO aging_watches (kind, stream_id, tenant_id, due_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (kind, stream_id) DO UPDATE SET tenant_id = excluded.tenant_id, due_at = excluded.due_at`,
    ),
    remove: db.prepare('DELETE FROM aging_watches WHERE kind = ? AND stream_id = ?'),
    due: db.prepare('SELECT * FROM aging_watches WHERE due_at <= ? ORDER BY due_at, kind, stream_id LIMIT ?'),
  };
}

interface WatchRow {
  kind: AgingWatchKind;
  stream_id: string;
  tenant_id: string;
  due_at: string;
}

const watchOf = (row: WatchRow): AgingWatch => ({ kind: row.kind, streamId: row.stream_id, tenantId: row.tenant_id, dueAt: row.due_at });
