import type Database from 'better-sqlite3';
import { comparePositions, GlobalPosition, positionFromString, positionToString, START_POSITION, StoredEvent } from '@lead-lifecycle/event-store';
import { CheckpointMovedError, EventProcessor } from '@lead-lifecycle/lifecycle';

/**
 * A read model kept in SQLite. `apply` runs inside the transaction that also moves the checkpoint, so
 * an event is counted exactly once even across crashes, restarts and rebuilds.
 */
export interface SqliteProjection {
  readonly name: string;
  /** Stream prefixes the projection reads; others only move its checkpoint. */
  readonly streamPrefixes: readonly string[];
  /** Tables it owns, dropped by a rebuild. */
  readonly tables: readonly string[];
  createTables(db: Database.Database): void;
  apply(db: Database.Database, event: StoredEvent): void;
}

export const projectionCheckpointName = (name: string) => `projection:${name}`;

/** Runs a SqliteProjection as an EventProcessor on the database that holds the checkpoints. */
export class SqliteProjectionProcessor implements EventProcessor {
  readonly commitsCheckpoint = true;
  readonly name: string;
  readonly streamPrefixes: readonly string[];
  private readonly readCheckpoint: Database.Statement;
  private readonly writeCheckpoint: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    readonly projection: SqliteProjection,
  ) {
    this.name = projectionCheckpointName(projection.name);
    this.streamPrefixes = projection.streamPrefixes;
    projection.createTables(db);
    this.readCheckpoint = db.prepare('SELECT position FROM checkpoints WHERE name = ?').pluck();
    this.writeCheckpoint = db.prepare(
      'INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at',
    );
  }

  async handleBatch(events: StoredEvent[], checkpoint: GlobalPosition, after: GlobalPosition): Promise<void> {
    // IMMEDIATE: take the write lock first, so two processes on one file never meet a stale snapshot.
    this.db.transaction(() => {
      // Re-read the checkpoint inside the transaction: another process (a rebuild, a second instance
      // on the same file) may have moved it since the batch was read. Apply only a batch that starts
      // exactly where the stored checkpoint ends; otherwise the runner reloads and reads again.
      const stored = this.readCheckpoint.get(this.name) as string | undefined;
      const done = stored === undefined ? START_POSITION : positionFromString(stored);
      if (comparePositions(done, after) !== 0) throw new CheckpointMovedError(this.name, done, after);
      for (const event of events) this.projection.apply(this.db, event);
      this.writeCheckpoint.run(this.name, positionToString(checkpoint), new Date().toISOString());
    }).immediate();
  }

  /** Drops the read model and its checkpoint in one transaction; the runner then refolds from the start. */
  reset(): void {
    this.db.transaction(() => {
      for (const table of this.projection.tables) this.db.exec(`DROP TABLE IF EXISTS ${table}`);
      this.db.prepare('DELETE FROM checkpoints WHERE name = ?').run(this.name);
      this.db.prepare('DELETE FROM processor_failures WHERE processor = ?').run(this.name);
      this.projection.createTables(this.db);
    })();
  }
}


const statementCaches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** Prepared statements reused per database, so folding a million events does not recompile SQL. */
export function statement(db: Database.Database, sql: string): Database.Statement {
  let cache = statementCaches.get(db);
  if (!cache) statementCaches.set(db, (cache = new Map()));
  let prepared = cache.get(sql);
  if (!prepared) cache.set(sql, (prepared = db.prepare(sql)));
  return prepared;
}

/**
 * A business time as stored in the read models: UTC ISO 8601 with milliseconds, so that SQL comparisons
 * and sorts of the text agree with time order whatever offset the event was written with.
 */
export function utc(time: string): string {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new Error(`not a time: ${time}`);
  return new Date(ms).toISOString();
}
