import {
  ANY,
  type AppendExpectedRevision,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
} from '@eventstore/db-client';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
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
import { isStreamNotFound, isTransient, toPortError } from './esdb-errors';
import { isSystemEvent, type MappingOptions, toEventData, toStoredEvent } from './esdb-event-mapping';
import { ResumableSubscription } from './resumable-subscription';
import { Semaphore } from './semaphore';

export interface EventStoreDbEventStoreOptions {
  /**
   * Appends in flight at once on the connection; the others wait. Default 16. Keeps well under the
   * server's HTTP/2 stream limit (100 on Kestrel) that long-lived subscriptions also use.
   */
  readonly maxConcurrentAppends?: number;
  /**
   * How many times an append or a read that failed on the transport (connection dropped, server
   * unavailable, timeout) is tried again before StoreUnavailableError. Default 3. Retrying an
   * append is safe: it carries the same event ids, which EventStoreDB deduplicates.
   */
  readonly retries?: number;
  /** First delay before a retry or a resubscription, doubled each time up to maxRetryDelayMs. Default 100. */
  readonly initialRetryDelayMs?: number;
  /** Default 5000. */
  readonly maxRetryDelayMs?: number;
  /**
   * Use the client's BatchAppend path when the server offers it. Default false: appends go through
   * the unary Append call, one gRPC call per append, so that an error can only ever fail its own
   * append (see "client defects" on the class).
   */
  readonly allowBatchAppend?: boolean;
  /** Which time becomes `metadata.recordedAt` on read: EventStoreDB's `created` (default) or the adapter's write time. */
  readonly recordedAt?: 'server' | 'writer';
  /** Server checkpoint interval of subscriptions, in multiples of 32 considered events. Default 1. */
  readonly checkpointIntervalMultiplier?: number;
  /** Events buffered per subscription before the gRPC stream is paused. Default 512. */
  readonly subscriptionBufferSize?: number;
  /** Source of the write time stored in metadata.recordedAt. */
  readonly now?: () => Date;
  /** Where reconnect warnings go. Default console.warn. */
  readonly onWarning?: (message: string, error?: unknown) => void;
  /** Size and depth bounds of one event; DEFAULT_EVENT_LIMITS when absent. */
  readonly limits?: Partial<EventLimits>;
}

/**
 * The EventStoreDB adapter of the event store port, on @eventstore/db-client 6.2.1.
 *
 * Client defects it does not pass on (found in node_modules/@eventstore/db-client/dist):
 *  1. BatchAppend (streams/appendToStream/batchAppend.js) keeps ONE process-global `promiseBank`
 *     for every append of every client and stream. A per-append error (e.g. a wrong expected
 *     version) is matched by correlation id and stays isolated, but any error on the shared
 *     BatchAppend gRPC call (a dropped connection, a leader change, a server-side failure of the
 *     call — also one caused by another EventStoreDBClient instance in the same process) rejects
 *     and forgets EVERY in-flight append, on every stream, even those the server then writes; a
 *     response arriving after that makes the client's `data` handler destructure `undefined`
 *     (TypeError: undefined is not iterable), an unhandled rejection that terminates a Node 20
 *     process by default. The adapter never takes that path: the client's instance-level
 *     `supports()` is wrapped to report BatchAppend as unsupported, so every append is a unary
 *     Append call whose failure concerns that append alone (allowBatchAppend restores the client's
 *     choice).
 *  2. Bursts of concurrent appends on a fresh connection (reported hanging beyond ~100): 6.2.1
 *     caches the BatchAppend stream promise, but every unary append is still an HTTP/2 stream
 *     counted against the server's SETTINGS_MAX_CONCURRENT_STREAMS (100 on Kestrel) together with
 *     every open subscription. A semaphore bounds appends in flight (maxConcurrentAppends).
 *  3. A non-UUID event id is sent as is and comes back as an UnknownError (unary: "Exception was
 *     thrown by handler", BatchAppend: "Could not recognize BadRequest"). Events are validated with
 *     assertValidNewEvents first, which raises EventStoreError INVALID_EVENT without calling the
 *     client.
 *  4. Data or metadata that JSON.stringify rejects (a BigInt, a cycle) throws inside the client's
 *     un-awaited async callback: an unhandled rejection, and an append that hangs until its 10 s
 *     deadline (unary) or forever (BatchAppend). toEventData serialises first and raises
 *     INVALID_EVENT.
 *  Also: an append or read that fails on the transport is retried with backoff (appends are
 *  idempotent by event id), then surfaces as StoreUnavailableError; the client reconnects its
 *  channel on UNAVAILABLE by itself. Subscriptions resubscribe after the last event they queued.
 */
export class EventStoreDbEventStore implements EventStore {
  readonly client: EventStoreDBClient;
  private readonly appendSlots: Semaphore;
  private readonly retries: number;
  private readonly initialRetryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly mapping: MappingOptions;
  private readonly now: () => Date;
  private readonly onWarning: (message: string, error?: unknown) => void;
  private readonly subscriptions = new Set<ResumableSubscription>();
  private readonly options: EventStoreDbEventStoreOptions;
  private readonly limits: EventLimits;
  private closed = false;

  constructor(connectionString: string, options: EventStoreDbEventStoreOptions = {}) {
    this.options = options;
    this.limits = { ...DEFAULT_EVENT_LIMITS, ...options.limits };
    // @eventstore/db-client 6.2.1 only parses esdb:// and esdb+discover://; KurrentDB's own scheme is the same format.
    this.client = EventStoreDBClient.connectionString(connectionString.trim().replace(/^kurrentdb(\+discover)?:\/\//i, 'esdb$1://'));
    this.appendSlots = new Semaphore(options.maxConcurrentAppends ?? 16);
    this.retries = options.retries ?? 3;
    this.initialRetryDelayMs = options.initialRetryDelayMs ?? 100;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 5000;
    this.mapping = { recordedAt: options.recordedAt ?? 'server' };
    this.now = options.now ?? (() => new Date());
    this.onWarning = options.onWarning ?? ((message) => console.warn(`[EventStoreDbEventStore] ${message}`));
    if (!options.allowBatchAppend) forceUnaryAppend(this.client, this.onWarning);
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision = 'any'): Promise<AppendResult> {
    this.assertOpen();
    this.validateAppend(streamId, events);
    const recordedAt = this.now().toISOString();
    const data = events.map((e) => toEventData(e, recordedAt));
    const expected = toClientExpected(expectedRevision);
    const context = { operation: 'append', streamId, expected: expectedRevision.toString() };
    const result = await this.appendSlots.run(() =>
      this.withRetries(context, () => this.client.appendToStream(streamId, data, { expectedRevision: expected })),
    );
    const position = result.position ?? (await this.headPosition());
    return { nextExpectedRevision: result.nextExpectedRevision, position: { commit: position.commit, prepare: position.prepare } };
  }

  validateAppend(streamId: string, events: readonly NewEvent[]): void {
    assertValidNewEvents(streamId, events, this.limits);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const direction = options.direction === 'backwards' ? BACKWARDS : FORWARDS;
    const fromRevision = options.fromRevision ?? (direction === BACKWARDS ? END : START);
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (maxCount <= 0) return [];
    return this.withRetries({ operation: 'readStream', streamId }, async () => {
      const out: StoredEvent[] = [];
      try {
        for await (const resolved of this.client.readStream(streamId, { direction, fromRevision, maxCount })) {
          const event = toStoredEvent(resolved, this.mapping);
          if (event) out.push(event);
        }
      } catch (error) {
        if (isStreamNotFound(error)) return [];
        throw error;
      }
      return out;
    });
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const maxCount = options.maxCount ?? 1000;
    const out: StoredEvent[] = [];
    let after = options.after && options.after.commit >= 0n ? options.after : undefined;
    while (out.length < maxCount) {
      const page = Math.min(Math.max(maxCount - out.length + 1, 64), 4096);
      const from = after;
      const batch = await this.withRetries({ operation: 'readAll' }, async () => {
        const events: StoredEvent[] = [];
        for await (const resolved of this.client.readAll({ direction: FORWARDS, fromPosition: from ?? START, maxCount: page })) {
          const event = toStoredEvent(resolved, this.mapping);
          if (event) events.push(event);
        }
        return events;
      });
      for (const event of batch) {
        // The client's readAll is inclusive of its start position; `after` is exclusive.
        if (after && (event.position.commit < after.commit || (event.position.commit === after.commit && event.position.prepare <= after.prepare))) {
          continue;
        }
        after = event.position;
        if (isSystemEvent(event.streamId, event.type)) continue;
        out.push(event);
        if (out.length === maxCount) break;
      }
      if (batch.length < page) break;
    }
    return out;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const subscription = new ResumableSubscription(this.client, {
      after: options.after,
      streamPrefixes: options.streamPrefixes,
      checkpointIntervalMultiplier: this.options.checkpointIntervalMultiplier ?? 1,
      initialRetryDelayMs: this.initialRetryDelayMs,
      maxRetryDelayMs: this.maxRetryDelayMs,
      highWaterMark: this.options.subscriptionBufferSize ?? 512,
      mapping: this.mapping,
      onWarning: this.onWarning,
      onClose: (s) => this.subscriptions.delete(s),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<GlobalPosition> {
    this.assertOpen();
    let before: GlobalPosition | undefined;
    for (;;) {
      const from = before;
      const batch = await this.withRetries({ operation: 'headPosition' }, async () => {
        const events: StoredEvent[] = [];
        for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: from ?? END, maxCount: 32 })) {
          const event = toStoredEvent(resolved, this.mapping);
          if (event) events.push(event);
        }
        return events;
      });
      for (const event of batch) {
        if (before && (event.position.commit > before.commit || (event.position.commit === before.commit && event.position.prepare >= before.prepare))) {
          continue;
        }
        before = event.position;
        if (!isSystemEvent(event.streamId, event.type)) return event.position;
      }
      if (batch.length < 32) return START_POSITION;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    try {
      await this.client.dispose();
      // The client's gRPC channel stays open after dispose(); getChannel is internal, so looked up at run time.
      const getChannel: unknown = Reflect.get(this.client, 'getChannel');
      const channel = typeof getChannel === 'function' ? await (getChannel as () => Promise<{ close(): void }>).call(this.client) : undefined;
      channel?.close();
    } catch {
      // closing is best effort
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreError(EventStoreErrorCode.Closed, 'event store is closed');
  }

  private async withRetries<T>(context: { operation: string; streamId?: string; expected?: string }, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!isTransient(error) || attempt >= this.retries || this.closed) throw toPortError(error, context);
        const delay = Math.min(this.maxRetryDelayMs, this.initialRetryDelayMs * 2 ** attempt);
        this.onWarning(`${context.operation}${context.streamId ? ` on ${context.streamId}` : ''} failed (${describe(error)}); retrying in ${delay} ms`, error);
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (this.closed) throw toPortError(error, context);
      }
    }
  }
}

function toClientExpected(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      if (typeof expected !== 'bigint' || expected < 0n) {
        throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `invalid expected revision ${String(expected)}`);
      }
      return expected;
  }
}

/**
 * Makes the client believe the server has no BatchAppend, so that appendToStream takes the unary
 * Append path (Client.prototype.appendToStream asks `this.supports(StreamsService.batchAppend)`).
 * `supports` is an own instance property of the 6.2.1 client; if a future client changes that,
 * this warns instead of failing, and the retry/idempotency guard still applies.
 */
function forceUnaryAppend(client: EventStoreDBClient, warn: (message: string) => void): void {
  const original: unknown = Reflect.get(client, 'supports');
  if (typeof original !== 'function' || !Object.prototype.hasOwnProperty.call(client, 'supports')) {
    warn('cannot disable BatchAppend on this @eventstore/db-client version; concurrent appends share one BatchAppend call');
    return;
  }
  const supports = original as (method: unknown, feature?: string) => Promise<boolean>;
  Reflect.set(client, 'supports', (method: unknown, feature?: string) =>
    method === StreamsService.batchAppend ? Promise.resolve(false) : supports.call(client, method, feature));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
