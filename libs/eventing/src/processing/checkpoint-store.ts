import Database from 'better-sqlite3';
import { preparePrivateDatabase } from '../private-files';
import { type GlobalPosition, positionFromString, positionToString } from '../event-store.port';

/**
 * What a ProcessorRunner needs of a checkpoint store. `load`, `save` and `recordFailure` may answer a
 * Promise (a store on a server: the fleet's shared PostgreSQL checkpoints); the runner awaits them.
 */
export interface ProcessorCheckpoints {
  load(name: string): GlobalPosition | undefined | Promise<GlobalPosition | undefined>;
  save(name: string, position: GlobalPosition): void | Promise<void>;
  /** Runs `work` and the checkpoint save in one transaction, so neither happens without the other. */
  transaction<T>(work: () => T): T;
  recordFailure(failure: ProcessorFailure): void | Promise<void>;
  failures(name?: string): ProcessorFailure[];
  close(): void;
}

/** Durable positions of the processors that follow the store's global order, answered at once (SQLite). */
export interface CheckpointStore extends ProcessorCheckpoints {
  load(name: string): GlobalPosition | undefined;
  save(name: string, position: GlobalPosition): void;
  recordFailure(failure: ProcessorFailure): void;
}

export interface ProcessorFailure {
  readonly processor: string;
  readonly position: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly error: string;
  /** What the poison policy did: stopped the processor, parked (skipped) the event, or quarantined its lead. */
  readonly action: 'stopped' | 'parked' | 'quarantined';
  readonly at: string;
}

/**
 * Checkpoints in a local SQLite file (`read-models.sqlite` in the data folder), beside the read
 * models, so a projection can commit its rows and its checkpoint together, whatever event store is used.
 */
export class SqliteCheckpointStore implements CheckpointStore {
  readonly db: Database.Database;

  constructor(filename: string) {
    // Owner only: the folder holds personal data and every lead's data key.
    preparePrivateDatabase(filename);
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    // NORMAL is enough here: a power cut can only lose the last commits, rows and checkpoint together,
    // and the processors then redo them from the event log, which is the durable record.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('cache_size = -32768');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS processor_failures (
        id INTEGER PRIMARY KEY AUTOINCREMENT, processor TEXT NOT NULL, position TEXT NOT NULL, event_id TEXT NOT NULL,
        event_type TEXT NOT NULL, error TEXT NOT NULL, action TEXT NOT NULL, at TEXT NOT NULL);
    `);
  }

  load(name: string): GlobalPosition | undefined {
    const row = this.db.prepare('SELECT position FROM checkpoints WHERE name = ?').get(name) as { position: string } | undefined;
    return row ? positionFromString(row.position) : undefined;
  }

  save(name: string, position: GlobalPosition): void {
    this.db
      .prepare(
        'INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at',
      )
      .run(name, positionToString(position), new Date().toISOString());
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  recordFailure(f: ProcessorFailure): void {
    this.db
      .prepare('INSERT INTO processor_failures (processor, position, event_id, event_type, error, action, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(f.processor, f.position, f.eventId, f.eventType, f.error, f.action, f.at);
  }

  failures(name?: string): ProcessorFailure[] {
    const rows = (
      name
        ? this.db.prepare('SELECT * FROM processor_failures WHERE processor = ? ORDER BY id').all(name)
        : this.db.prepare('SELECT * FROM processor_failures ORDER BY id').all()
    ) as Array<Record<string, string>>;
    return rows.map((r) => ({
      processor: r.processor,
      position: r.position,
      eventId: r.event_id,
      eventType: r.event_type,
      error: r.error,
      action: r.action as ProcessorFailure['action'],
      at: r.at,
    }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
