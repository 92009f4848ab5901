/**
 * The group commit of the embedded store, in one place: whichever thread writes (the store's own, with
 * `writer: 'main'`, or the writer thread, with `writer: 'thread'`) runs this same code on its own
 * connection. Only plain data goes in and out, so a batch can cross a thread boundary.
 */
import Database from 'better-sqlite3';
import type { AppendResult, ExpectedRevision, GlobalPosition, NewEvent } from '../event-store.port';
import { EventStoreError, EventStoreErrorCode, WrongExpectedRevisionError } from '../event-store.errors';

/** The embedded store's tables (also used by the benchmark's raw-SQLite limit). */
export const SQLITE_EVENT_STORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position        INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id        TEXT    NOT NULL UNIQUE,
  stream_id       TEXT    NOT NULL,
  stream_revision INTEGER NOT NULL,
  type            TEXT    NOT NULL,
  schema_version  INTEGER NOT NULL,
  data            TEXT    NOT NULL,
  metadata        TEXT    NOT NULL,
  UNIQUE (stream_id, stream_revision)
);
CREATE TABLE IF NOT EXISTS streams (
  stream_id TEXT PRIMARY KEY,
  revision  INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** 'full' flushes the WAL on every commit; 'normal' survives a process crash only. */
export type SqliteDurability = 'full' | 'normal';

/** Opens a connection to the store's file as every connection of the store needs it (WAL, durability, tables). */
export function openSqliteEventDatabase(filename: string, durability: SqliteDurability | undefined): Database.Database {
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durability === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.pragma('busy_timeout = 5000');
  // Reads of a lead's stream touch pages all over a large file: a bigger page cache and memory-mapped
  // reads keep a cold load from going to disk page by page. Both count in the process's RSS, hence modest.
  db.pragma('cache_size = -32768');
  db.pragma('mmap_size = 67108864');
  db.exec(SQLITE_EVENT_STORE_SCHEMA);
  db.defaultSafeIntegers(true);
  return db;
}

/** One event as the log keeps it: its JSON columns written (the metadata with its recordedAt). */
export interface EncodedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: string;
  readonly metadata: string;
}

/** One append, ready for {@link SqliteAppendBatch.write}. */
export interface EncodedAppend {
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  readonly events: readonly EncodedEvent[];
}

/** Writes the JSON columns of an append's (already validated) events, stamping `recordedAt`. */
export function encodeAppend(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision, recordedAt: string): EncodedAppend {
  return {
    streamId,
    expected,
    events: events.map((event) => ({
      eventId: event.eventId,
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: JSON.stringify(event.data),
      metadata: JSON.stringify({ ...event.metadata, recordedAt }),
    })),
  };
}

/** What became of one append of a batch. */
export type AppendOutcome = { readonly ok: true; readonly result: AppendResult } | { readonly ok: false; readonly error: unknown };

/** What one batch did, for the store's counters (SqliteStoreCounters.record). */
export interface BatchReport {
  readonly appends: number;
  /** Events written (an idempotent replay writes none). */
  readonly events: number;
  readonly conflicts: number;
  readonly otherFailures: number;
  /** The transaction failed as a whole: every append of the batch was refused. */
  readonly failedCommit: boolean;
  readonly commitMs: number;
  readonly flushMs: number;
}

/**
 * Writes batches of appends on one connection: one transaction a batch (one fsync for all of them), each
 * append inside its own savepoint, so a conflict in one append never touches the others.
 */
export class SqliteAppendBatch {
  private readonly stmts: ReturnType<typeof prepareWriteStatements>;

  constructor(
    private readonly db: Database.Database,
    private readonly elapsedMs: () => number,
  ) {
    this.stmts = prepareWriteStatements(db);
  }

  /** Writes the batch in one transaction; answers an outcome per append, in order, and the batch's report. */
  write(batch: readonly EncodedAppend[]): { outcomes: AppendOutcome[]; report: BatchReport } {
    const db = this.db;
    const flushStarted = this.elapsedMs();
    const outcomes: AppendOutcome[] = [];
    let events = 0;
    let commitMs = 0;
    try {
      db.exec('BEGIN IMMEDIATE');
      for (const append of batch) {
        db.exec('SAVEPOINT append');
        try {
          const applied = this.applyAppend(append);
          events += applied.written;
          outcomes.push({ ok: true, result: applied.result });
          db.exec('RELEASE append');
        } catch (error) {
          db.exec('ROLLBACK TO append');
          db.exec('RELEASE append');
          outcomes.push({ ok: false, error });
        }
      }
      const commitStarted = this.elapsedMs();
      db.exec('COMMIT');
      commitMs = this.elapsedMs() - commitStarted;
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      const failure = new EventStoreError(EventStoreErrorCode.Unavailable, `append failed: ${(error as Error).message}`, true, { cause: error });
      return {
        outcomes: batch.map(() => ({ ok: false, error: failure })),
        report: { appends: batch.length, events: 0, conflicts: 0, otherFailures: 0, failedCommit: true, commitMs: 0, flushMs: this.elapsedMs() - flushStarted },
      };
    }
    let conflicts = 0;
    let otherFailures = 0;
    for (const outcome of outcomes) {
      if (outcome.ok) continue;
      if (outcome.error instanceof WrongExpectedRevisionError) conflicts++;
      else otherFailures++;
    }
    return {
      outcomes,
      report: { appends: batch.length, events, conflicts, otherFailures, failedCommit: false, commitMs, flushMs: this.elapsedMs() - flushStarted },
    };
  }

  /** Writes one append inside the open transaction; answers its result and how many events it wrote. */
  private applyAppend({ streamId, events, expected }: EncodedAppend): { result: AppendResult; written: number } {
    const current = this.stmts.streamRevision.get(streamId) as bigint | undefined;
    const replay = this.idempotentReplay(streamId, events);
    if (replay) return { result: replay, written: 0 };
    checkExpectedRevision(streamId, expected, current);
    let revision = current ?? -1n;
    if (events.length === 0) {
      return { result: { nextExpectedRevision: revision, position: this.headPosition() }, written: 0 };
    }
    let position = 0n;
    for (const event of events) {
      revision += 1n;
      const info = this.stmts.insertEvent.run(event.eventId, streamId, revision, event.type, event.schemaVersion, event.data, event.metadata);
      position = BigInt(info.lastInsertRowid);
    }
    this.stmts.upsertStream.run(streamId, revision);
    return { result: { nextExpectedRevision: revision, position: { commit: position, prepare: position } }, written: events.length };
  }

  /** Re-appending events that are already in this stream, in the same order, returns the original result. */
  private idempotentReplay(streamId: string, events: readonly EncodedEvent[]): AppendResult | undefined {
    if (events.length === 0) return undefined;
    const rows = events.map(
      (e) => this.stmts.byEventId.get(e.eventId) as { position: bigint; stream_id: string; stream_revision: bigint } | undefined,
    );
    if (rows.every((r) => r === undefined)) return undefined;
    const consistent = rows.every(
      (r, i) => r !== undefined && r.stream_id === streamId && r.stream_revision === rows[0]!.stream_revision + BigInt(i),
    );
    if (!consistent) {
      throw new EventStoreError(
        EventStoreErrorCode.InvalidEvent,
        `stream ${streamId}: event ids ${events.map((e) => e.eventId).join(', ')} were already written elsewhere or in another order`,
      );
    }
    const last = rows[rows.length - 1]!;
    return { nextExpectedRevision: last.stream_revision, position: { commit: last.position, prepare: last.position } };
  }

  private headPosition(): GlobalPosition {
    const head = this.stmts.head.get() as bigint | null;
    return head === null ? { commit: -1n, prepare: -1n } : { commit: head, prepare: head };
  }
}

function prepareWriteStatements(db: Database.Database) {
  return {
    streamRevision: db.prepare('SELECT revision FROM streams WHERE stream_id = ?').pluck(),
    upsertStream: db.prepare(
      'INSERT INTO streams (stream_id, revision) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision',
    ),
    insertEvent: db.prepare(
      'INSERT INTO events (event_id, stream_id, stream_revision, type, schema_version, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    byEventId: db.prepare('SELECT position, stream_id, stream_revision FROM events WHERE event_id = ?'),
    head: db.prepare('SELECT max(position) FROM events').pluck(),
  };
}

function checkExpectedRevision(streamId: string, expected: ExpectedRevision, current: bigint | undefined): void {
  const actual = current === undefined ? 'no_stream' : current.toString();
  const fail = () => {
    throw new WrongExpectedRevisionError(streamId, expected.toString(), actual);
  };
  if (expected === 'any') return;
  if (expected === 'no_stream') return current === undefined ? undefined : fail();
  if (expected === 'stream_exists') return current !== undefined ? undefined : fail();
  if (current !== expected) fail();
}
