import Database from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import { preparePrivateDatabase } from '../private-files';
import {
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type GlobalPosition,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  START_POSITION,
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.port';
import { EventStoreError, EventStoreErrorCode, WrongExpectedRevisionError } from '../event-store.errors';
import { assertValidNewEvents, DEFAULT_EVENT_LIMITS, type EventLimits } from '../event-validation';
import { SqliteStoreCounters, type SqliteStoreMetrics } from './sqlite-store-metrics';

/** Options of the embedded store. */
export interface SqliteEventStoreOptions {
  /** Path of the database file, or ':memory:'. */
  readonly filename: string;
  /**
   * 'full' (default) flushes the WAL on every commit, so an acknowledged append survives power loss;
   * 'normal' survives a process crash only.
   */
  readonly durability?: 'full' | 'normal';
  /** How often an idle subscription looks for events written by another process. */
  readonly pollIntervalMs?: number;
  /** Source of recordedAt; injected so tests can control time. */
  readonly now?: () => Date;
  /** Size and depth bounds of one event; DEFAULT_EVENT_LIMITS when absent. */
  readonly limits?: Partial<EventLimits>;
  /** Monotonic milliseconds for the durations in {@link SqliteEventStore.metrics}; performance.now when absent. */
  readonly elapsedMs?: () => number;
}

interface EventRow {
  position: number | bigint;
  event_id: string;
  stream_id: string;
  stream_revision: number | bigint;
  type: string;
  schema_version: number;
  data: string;
  metadata: string;
}

interface PendingAppend {
  streamId: string;
  events: readonly NewEvent[];
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

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

/**
 * The embedded event store: one SQLite file in WAL mode. Appends that arrive in the same tick are
 * committed together (group commit), each inside its own savepoint, so one fsync serves many
 * concurrent commands while a conflict in one append never touches the others.
 */
export class SqliteEventStore implements EventStore {
  readonly db: Database.Database;
  private readonly now: () => Date;
  private readonly pollIntervalMs: number;
  private readonly limits: EventLimits;
  private readonly elapsedMs: () => number;
  private readonly counters = new SqliteStoreCounters();
  private readonly appended = new EventEmitter();
  private pending: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;

  private readonly stmts: ReturnType<SqliteEventStore['prepare']>;

  constructor(options: SqliteEventStoreOptions) {
    // Owner only: the folder holds personal data and every lead's data key.
    preparePrivateDatabase(options.filename);
    this.db = new Database(options.filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    // Reads of a lead's stream touch pages all over a large file: a bigger page cache and memory-mapped
    // reads keep a cold load from going to disk page by page. Both count in the process's RSS, hence modest.
    this.db.pragma('cache_size = -32768');
    this.db.pragma('mmap_size = 67108864');
    this.db.exec(SQLITE_EVENT_STORE_SCHEMA);
    this.now = options.now ?? (() => new Date());
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.limits = { ...DEFAULT_EVENT_LIMITS, ...options.limits };
    this.elapsedMs = options.elapsedMs ?? (() => performance.now());
    this.appended.setMaxListeners(0);
    this.db.defaultSafeIntegers(true);
    this.stmts = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      streamRevision: db.prepare('SELECT revision FROM streams WHERE stream_id = ?').pluck(),
      upsertStream: db.prepare(
        'INSERT INTO streams (stream_id, revision) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision',
      ),
      insertEvent: db.prepare(
        'INSERT INTO events (event_id, stream_id, stream_revision, type, schema_version, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      byEventId: db.prepare('SELECT position, stream_id, stream_revision FROM events WHERE event_id = ?'),
      readForwards: db.prepare(
        'SELECT * FROM events WHERE stream_id = ? AND stream_revision >= ? ORDER BY stream_revision ASC LIMIT ?',
      ),
      readBackwards: db.prepare(
        'SELECT * FROM events WHERE stream_id = ? AND stream_revision <= ? ORDER BY stream_revision DESC LIMIT ?',
      ),
      readAll: db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position ASC LIMIT ?'),
      head: db.prepare('SELECT max(position) FROM events').pluck(),
    };
  }

  appendToStream(streamId: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision = 'any'): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new EventStoreError(EventStoreErrorCode.Closed, 'event store is closed'));
    try {
      this.validateAppend(streamId, events);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ streamId, events, expected: expectedRevision, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  validateAppend(streamId: string, events: readonly NewEvent[]): void {
    assertValidNewEvents(streamId, events, this.limits);
  }

  /**
   * What the store has done since it was opened or since {@link resetMetrics}: appends, group commits
   * (appends and events per commit, the largest batch), conflicts and time in COMMIT. A snapshot: it does
   * not change afterwards. For operators and the benchmark; reading it costs nothing measurable.
   */
  metrics(): SqliteStoreMetrics {
    return this.counters.snapshot();
  }

  /** Sets every counter of {@link metrics} back to zero (to measure one phase of a run). */
  resetMetrics(): void {
    this.counters.reset();
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const counters = this.counters;
    const flushStarted = this.elapsedMs();
    const outcomes: Array<{ ok: true; result: AppendResult; written: number } | { ok: false; error: unknown }> = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const append of batch) {
        this.db.exec('SAVEPOINT append');
        try {
          const applied = this.applyAppend(append);
          outcomes.push({ ok: true, ...applied });
          this.db.exec('RELEASE append');
        } catch (error) {
          this.db.exec('ROLLBACK TO append');
          this.db.exec('RELEASE append');
          outcomes.push({ ok: false, error });
        }
      }
      const commitStarted = this.elapsedMs();
      this.db.exec('COMMIT');
      counters.commitMs += this.elapsedMs() - commitStarted;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      counters.appends += batch.length;
      counters.failedCommits++;
      counters.flushMs += this.elapsedMs() - flushStarted;
      const failure = new EventStoreError(EventStoreErrorCode.Unavailable, `append failed: ${(error as Error).message}`, true, {
        cause: error,
      });
      batch.forEach((append) => append.reject(failure));
      return;
    }
    counters.groupCommits++;
    counters.appends += batch.length;
    counters.maxAppendsPerCommit = Math.max(counters.maxAppendsPerCommit, batch.length);
    for (const outcome of outcomes) {
      if (outcome.ok) counters.events += outcome.written;
      else if (outcome.error instanceof WrongExpectedRevisionError) counters.conflicts++;
      else counters.otherFailures++;
    }
    counters.flushMs += this.elapsedMs() - flushStarted;
    batch.forEach((append, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) append.resolve(outcome.result);
      else append.reject(outcome.error);
    });
    if (outcomes.some((o) => o.ok)) this.appended.emit('appended');
  }

  /** Writes one append inside the open transaction; answers its result and how many events it wrote. */
  private applyAppend({ streamId, events, expected }: PendingAppend): { result: AppendResult; written: number } {
    const current = this.stmts.streamRevision.get(streamId) as bigint | undefined;
    const replay = this.idempotentReplay(streamId, events);
    if (replay) return { result: replay, written: 0 };
    checkExpectedRevision(streamId, expected, current);
    let revision = current ?? -1n;
    if (events.length === 0) {
      return { result: { nextExpectedRevision: revision, position: this.headPositionSync() }, written: 0 };
    }
    const recordedAt = this.now().toISOString();
    let position = 0n;
    for (const event of events) {
      revision += 1n;
      const info = this.stmts.insertEvent.run(
        event.eventId,
        streamId,
        revision,
        event.type,
        event.schemaVersion,
        JSON.stringify(event.data),
        JSON.stringify({ ...event.metadata, recordedAt }),
      );
      position = BigInt(info.lastInsertRowid);
    }
    this.stmts.upsertStream.run(streamId, revision);
    return { result: { nextExpectedRevision: revision, position: { commit: position, prepare: position } }, written: events.length };
  }

  /** Re-appending events that are already in this stream, in the same order, returns the original result. */
  private idempotentReplay(streamId: string, events: readonly NewEvent[]): AppendResult | undefined {
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

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const limit = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const rows =
      options.direction === 'backwards'
        ? (this.stmts.readBackwards.all(streamId, options.fromRevision ?? BigInt(Number.MAX_SAFE_INTEGER), limit) as EventRow[])
        : (this.stmts.readForwards.all(streamId, options.fromRevision ?? 0n, limit) as EventRow[]);
    return rows.map(toStoredEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.readAllSync(options.after ?? START_POSITION, options.maxCount ?? 1000);
  }

  private readAllSync(after: GlobalPosition, maxCount: number): StoredEvent[] {
    return (this.stmts.readAll.all(after.commit, maxCount) as EventRow[]).map(toStoredEvent);
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    let open = true;
    let wake: (() => void) | undefined;
    const onAppend = () => wake?.();
    this.appended.on('appended', onAppend);
    const batchSize = options.maxCount ?? 500;
    const prefixes = options.streamPrefixes;
    // A generator function has its own `this`: what it needs of the store, as closures.
    const { appended, pollIntervalMs } = this;
    const closed = () => this.closed;
    const readBatch = (after: GlobalPosition) => this.readAllSync(after, batchSize);
    async function* iterate(): AsyncGenerator<StoredEvent> {
      let after = options.after ?? START_POSITION;
      try {
        while (open && !closed()) {
          const batch = readBatch(after);
          for (const event of batch) {
            after = event.position;
            if (prefixes && !prefixes.some((p) => event.streamId.startsWith(p))) continue;
            yield event;
            if (!open) return;
          }
          if (batch.length < batchSize) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, pollIntervalMs);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wake = undefined;
          }
        }
      } finally {
        appended.off('appended', onAppend);
      }
    }
    const iterator = iterate();
    return {
      [Symbol.asyncIterator]: () => iterator,
      close: async () => {
        open = false;
        wake?.();
        appended.off('appended', onAppend);
      },
    };
  }

  async headPosition(): Promise<GlobalPosition> {
    this.assertOpen();
    return this.headPositionSync();
  }

  private headPositionSync(): GlobalPosition {
    const head = this.stmts.head.get() as bigint | null;
    return head === null ? START_POSITION : { commit: head, prepare: head };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.appended.emit('appended');
    // Let queued appends finish before the handle goes away.
    if (this.pending.length) this.flush();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreError(EventStoreErrorCode.Closed, 'event store is closed');
  }
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

function toStoredEvent(row: EventRow): StoredEvent {
  const position = BigInt(row.position);
  return {
    eventId: row.event_id,
    type: row.type,
    schemaVersion: Number(row.schema_version),
    streamId: row.stream_id,
    revision: BigInt(row.stream_revision),
    position: { commit: position, prepare: position },
    // The store wrote both columns from a validated event: a JSON object each, the metadata with its recordedAt.
    data: JSON.parse(row.data) as StoredEvent['data'],
    metadata: JSON.parse(row.metadata) as StoredEvent['metadata'],
  };
}
