import { join } from 'node:path';
import Database from 'better-sqlite3';
import { comparePositions, type GlobalPosition, positionFromString, positionToString, preparePrivateDatabase } from '@lead-lifecycle/eventing';

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

/** The file of the aging reaction's state, in the engine's data folder. */
export const AGING_STATE_FILE = 'aging.sqlite';

/**
 * The aging reaction's deadlines and its own checkpoint, in one SQLite file: the reaction writes both
 * in one transaction, so a crash leaves them in step and no event is applied twice (the host's
 * checkpoint, saved after the batch, may lag behind; events at or before this one are skipped).
 * The sweeper only moves or removes a deadline it has looked at, and only if the reaction did not
 * change it meanwhile.
 */
export class AgingWatchStore {
  private readonly db: Database.Database;
  private readonly statements: ReturnType<typeof prepare>;

  constructor(filename: string) {
    preparePrivateDatabase(filename);
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS aging_checkpoint (name TEXT PRIMARY KEY, position TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS aging_watches (
        kind TEXT NOT NULL, stream_id TEXT NOT NULL, tenant_id TEXT NOT NULL, due_at TEXT NOT NULL,
        PRIMARY KEY (kind, stream_id));
      CREATE INDEX IF NOT EXISTS aging_watches_due ON aging_watches (due_at);
    `);
    // Prepared once: the reaction runs these for most lead events, beside the projections.
    this.statements = prepare(this.db);
  }

  /** In the data folder `dataDir`. */
  static inDataDir(dataDir: string): AgingWatchStore {
    return new AgingWatchStore(join(dataDir, AGING_STATE_FILE));
  }

  /**
   * Runs `work` on the events after the stored checkpoint, then stores `checkpoint`, in one
   * transaction; does nothing when the stored checkpoint is already at or past `checkpoint`.
   */
  applyBatch(name: string, checkpoint: GlobalPosition, work: (after: GlobalPosition | undefined) => void): void {
    this.db.transaction(() => {
      const stored = this.checkpoint(name);
      if (stored && comparePositions(stored, checkpoint) >= 0) return;
      work(stored);
      this.statements.saveCheckpoint.run(name, positionToString(checkpoint));
    })();
  }

  checkpoint(name: string): GlobalPosition | undefined {
    const row = this.statements.loadCheckpoint.get(name) as { position: string } | undefined;
    return row ? positionFromString(row.position) : undefined;
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
    if (this.db.open) this.db.close();
  }
}

function prepare(db: Database.Database) {
  return {
    loadCheckpoint: db.prepare('SELECT position FROM aging_checkpoint WHERE name = ?'),
    saveCheckpoint: db.prepare('INSERT INTO aging_checkpoint (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position'),
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
