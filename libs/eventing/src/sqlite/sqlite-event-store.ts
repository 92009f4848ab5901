import type Database from 'better-sqlite3';
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
import { EventStoreError, EventStoreErrorCode } from '../event-store.errors';
import { assertValidNewEvents, DEFAULT_EVENT_LIMITS, type EventLimits } from '../event-validation';
import { type BatchReport, encodeAppend, openSqliteEventDatabase, SQLITE_EVENT_STORE_SCHEMA, SqliteAppendBatch } from './sqlite-append-batch';
import { SqliteStoreCounters, type SqliteStoreMetrics } from './sqlite-store-metrics';
import { SqliteWriterThread } from './sqlite-writer-thread';

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
  /**
   * Where appends are written. 'main' (default): on this thread, the appends of one event-loop turn in
   * one transaction, whose COMMIT (the fsync) holds the loop. 'thread': a worker thread with its own
   * connection writes whatever arrived while it was busy in one transaction, so the loop goes on deciding
   * commands during the fsync; reads stay on this thread's connection (WAL), and an append is answered
   * only after its commit, so a read after it sees it. Not for ':memory:' (a second connection would see
   * another database): there it is always 'main'. With 'thread', `elapsedMs` does not reach the thread.
   */
  readonly writer?: 'main' | 'thread';
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

export { SQLITE_EVENT_STORE_SCHEMA };

/**
 * The embedded event store: one SQLite file in WAL mode. Appends that arrive in the same tick are
 * committed together (group commit), each inside its own savepoint, so one fsync serves many
 * concurrent commands while a conflict in one append never touches the others. The group commit itself
 * (SqliteAppendBatch) runs on this thread or, with `writer: 'thread'`, in a writer thread.
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
  /** Writes on this thread ('main'). */
  private readonly batch?: SqliteAppendBatch;
  /** Writes in the writer thread ('thread'). */
  private readonly writerThread?: SqliteWriterThread;

  private readonly stmts: ReturnType<SqliteEventStore['prepare']>;

  constructor(options: SqliteEventStoreOptions) {
    // Owner only: the folder holds personal data and every lead's data key.
    preparePrivateDatabase(options.filename);
    this.db = openSqliteEventDatabase(options.filename, options.durability);
    this.now = options.now ?? (() => new Date());
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.limits = { ...DEFAULT_EVENT_LIMITS, ...options.limits };
    this.elapsedMs = options.elapsedMs ?? (() => performance.now());
    this.appended.setMaxListeners(0);
    this.stmts = this.prepare();
    if (options.writer === 'thread' && options.filename !== ':memory:') {
      this.writerThread = new SqliteWriterThread({ filename: options.filename, durability: options.durability }, (report, written) =>
        this.recordBatch(report, written),
      );
    } else {
      this.batch = new SqliteAppendBatch(this.db, this.elapsedMs);
    }
  }

  /** Where this store writes its appends. */
  get writer(): 'main' | 'thread' {
    return this.writerThread ? 'thread' : 'main';
  }

  private prepare() {
    const db = this.db;
    return {
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
    if (this.writerThread) return this.writerThread.append(encodeAppend(streamId, events, expectedRevision, this.now().toISOString()));
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

  /** Writes the appends of this turn in one transaction (`writer: 'main'`). */
  private flush(): void {
    this.flushScheduled = false;
    const pending = this.pending;
    this.pending = [];
    if (pending.length === 0 || !this.batch) return;
    const { outcomes, report } = this.batch.write(
      pending.map((append) => encodeAppend(append.streamId, append.events, append.expected, this.now().toISOString())),
    );
    this.recordBatch(report, false);
    pending.forEach((append, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) append.resolve(outcome.result);
      else append.reject(outcome.error);
    });
    if (outcomes.some((o) => o.ok)) this.appended.emit('appended');
  }

  /** Counts a transaction, whichever thread ran it; with the writer thread, wakes the subscriptions. */
  private recordBatch(report: BatchReport, wake: boolean): void {
    this.counters.record(report);
    if (wake) this.appended.emit('appended');
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
    await this.writerThread?.close();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreError(EventStoreErrorCode.Closed, 'event store is closed');
  }
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
