/**
 * The event store port. Every adapter (embedded SQLite, EventStoreDB) implements it and must pass
 * the contract suite in test/contract/event-store.contract.ts.
 */

/**
 * A position in the store's global order. `commit` orders events; `prepare` is EventStoreDB's
 * second coordinate and equals `commit` in the embedded store. Serialise with {@link positionToString}.
 */
export interface GlobalPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export const START_POSITION: GlobalPosition = Object.freeze({ commit: -1n, prepare: -1n });

/** Expected revision of a stream for an append: any, the stream must not exist, or an exact revision. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface EventMetadata {
  readonly tenantId: string;
  /** Business time: when the fact happened in the world. */
  readonly occurredAt: string;
  /** Set by the store adapter when the event is written; ignored on input. */
  readonly recordedAt?: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string;
  /** The command that produced the event, for auditors. */
  readonly command?: string;
  readonly [key: string]: unknown;
}

/** An event to append. `eventId` must be a UUID; re-appending the same ids is idempotent. */
export interface NewEvent<Data = Record<string, unknown>> {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Data;
  readonly metadata: EventMetadata;
}

export interface StoredEvent<Data = Record<string, unknown>> {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamId: string;
  /** Zero-based revision of the event in its stream. */
  readonly revision: bigint;
  readonly position: GlobalPosition;
  readonly data: Data;
  readonly metadata: EventMetadata & { readonly recordedAt: string };
}

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  readonly nextExpectedRevision: bigint;
  /** Global position of the last event written (or of the original write on an idempotent retry). */
  readonly position: GlobalPosition;
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive. Defaults to the start (forwards) or the end (backwards). */
  readonly fromRevision?: bigint;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Defaults to the start. */
  readonly after?: GlobalPosition;
  readonly maxCount?: number;
  /**
   * `sealed`: personal data stays as the store keeps it (encrypted, or erased); a reader that never shows
   * personal data (a projection) skips the decryption. Default `open`: decrypted where a key exists.
   * Stores that do not encrypt ignore it.
   */
  readonly personalData?: 'open' | 'sealed';
}

export interface SubscribeOptions extends ReadAllOptions {
  /** Only events whose stream id starts with one of these prefixes; all non-system events when absent. */
  readonly streamPrefixes?: readonly string[];
}

/**
 * A catch-up subscription: iterate it to receive events after the start position in global order,
 * first the history, then live events. `close()` ends the iteration.
 */
export interface Subscription extends AsyncIterable<StoredEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  appendToStream(streamId: string, events: readonly NewEvent[], expectedRevision?: ExpectedRevision): Promise<AppendResult>;
  /**
   * Throws what `appendToStream` would throw for these events' content (InvalidEventError: ids, JSON,
   * size and depth limits), without writing anything; the expected revision is not checked. Lets a
   * command that writes several streams check them all before its first write. Decorators that change
   * events on the way in check the events as they would reach the log. Use {@link validateAppend} to
   * call it, which falls back to the default checks for a store without it.
   */
  validateAppend?(streamId: string, events: readonly NewEvent[]): void;
  /** Events of one stream; an empty array when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** Events of every stream in global order. */
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  /** Position of the newest event in the store, or START_POSITION when empty. */
  headPosition(): Promise<GlobalPosition>;
  close(): Promise<void>;
}

export function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export function positionToString(p: GlobalPosition): string {
  return p.commit === p.prepare ? p.commit.toString() : `${p.commit}/${p.prepare}`;
}

export function positionFromString(text: string): GlobalPosition {
  const match = /^(-?\d+)(?:\/(-?\d+))?$/.exec(text.trim());
  if (!match) throw new RangeError(`not a global position: ${text}`);
  const commit = BigInt(match[1]);
  return { commit, prepare: match[2] === undefined ? commit : BigInt(match[2]) };
}
