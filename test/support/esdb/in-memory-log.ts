/**
 * The in-memory transaction log behind the EventStoreDB protocol test server: a list of records in
 * global order plus a per-stream index and an event-id index. It knows nothing about gRPC; the
 * server in esdb-protocol-server.ts translates requests into calls on it.
 *
 * Positions are byte-like: every record advances the log by roughly its size, commit = prepare,
 * like the non-transactional writes of EventStoreDB 20+.
 */

/** Expected version as EventStoreDB's core uses it: >= -1 exact (-1 = no stream), -2 any, -4 stream exists. */
export type ExpectedVersion =
  | { readonly kind: 'any' }
  | { readonly kind: 'no_stream' }
  | { readonly kind: 'stream_exists' }
  | { readonly kind: 'exact'; readonly revision: bigint };

export interface LogRecord {
  readonly position: bigint;
  readonly streamId: string;
  readonly revision: bigint;
  /** Canonical lowercase hyphenated UUID, as .NET's Guid.ToString() prints it. */
  readonly eventId: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
  /** .NET ticks (100 ns) since the Unix epoch, as the server sends it in the `created` metadata key. */
  readonly created: bigint;
}

export interface ProposedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
}

export type AppendOutcome =
  | {
      readonly ok: true;
      /** Revision of the last event of the write (or of the original write when idempotent); -1 when the stream does not exist. */
      readonly currentRevision: bigint;
      /** Position of the last event written, or undefined when nothing was written and nothing matched (empty append). */
      readonly position: bigint | undefined;
      readonly idempotent: boolean;
    }
  | {
      readonly ok: false;
      /** Current revision of the stream, -1 when it does not exist. */
      readonly currentRevision: bigint;
    };

export type ReadFrom = 'start' | 'end' | bigint;

export interface EventFilter {
  readonly on: 'stream' | 'type';
  readonly prefixes?: readonly string[];
  readonly regex?: string;
}

export function filterMatches(filter: EventFilter | undefined, record: LogRecord): boolean {
  if (!filter) return true;
  const subject = filter.on === 'stream' ? record.streamId : record.type;
  if (filter.regex) return new RegExp(filter.regex).test(subject);
  const prefixes = filter.prefixes ?? [];
  return prefixes.some((p) => subject.startsWith(p));
}

const TICKS_PER_MS = 10_000n;
const RECORD_OVERHEAD = 80n;

export class InMemoryLog {
  private readonly records: LogRecord[] = [];
  private readonly streams = new Map<string, LogRecord[]>();
  private readonly byEventId = new Map<string, LogRecord>();
  private readonly listeners = new Set<() => void>();
  private nextPosition: bigint;

  private readonly now: () => number;

  constructor(options: { initialPosition?: bigint; now?: () => number } = {}) {
    this.nextPosition = options.initialPosition ?? 0n;
    this.now = options.now ?? Date.now;
  }

  get length(): number {
    return this.records.length;
  }

  all(): readonly LogRecord[] {
    return this.records;
  }

  record(index: number): LogRecord | undefined {
    return this.records[index];
  }

  /** Current revision of a stream, -1 when it does not exist. */
  currentRevision(streamId: string): bigint {
    const stream = this.streams.get(streamId);
    return stream ? BigInt(stream.length - 1) : -1n;
  }

  /** Called synchronously after every successful write. */
  onAppended(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A write with EventStoreDB's commit check (IndexWriter.CheckCommit): an exact expected version
   * below the current one is idempotent when the events already sit at the following revisions with
   * the same ids; for any / stream_exists the event-id index decides. A partial match
   * ("corrupted idempotency") is reported as a wrong expected version, as the real server does.
   */
  append(streamId: string, expected: ExpectedVersion, events: readonly ProposedEvent[]): AppendOutcome {
    const current = this.currentRevision(streamId);
    const stream = this.streams.get(streamId) ?? [];
    const wrong = (): AppendOutcome => ({ ok: false, currentRevision: current });

    if (expected.kind === 'stream_exists' && current < 0n) return wrong();

    if (expected.kind === 'any' || expected.kind === 'stream_exists') {
      if (events.length > 0) {
        const first = this.byEventId.get(events[0].eventId);
        if (first && first.streamId === streamId) {
          const start = Number(first.revision);
          for (let i = 0; i < events.length; i++) {
            const found = stream[start + i];
            if (!found || found.eventId !== events[i].eventId) return wrong();
          }
          const last = stream[start + events.length - 1];
          return { ok: true, currentRevision: last.revision, position: last.position, idempotent: true };
        }
      }
      return this.write(streamId, stream, events);
    }

    const expectedRevision = expected.kind === 'no_stream' ? -1n : expected.revision;
    if (expectedRevision < current) {
      if (events.length === 0) return wrong();
      let last: LogRecord | undefined;
      for (let i = 0; i < events.length; i++) {
        const found = stream[Number(expectedRevision + 1n) + i];
        if (!found || found.eventId !== events[i].eventId) return wrong();
        last = found;
      }
      return { ok: true, currentRevision: last!.revision, position: last!.position, idempotent: true };
    }
    if (expectedRevision > current) return wrong();
    return this.write(streamId, stream, events);
  }

  private write(streamId: string, stream: LogRecord[], events: readonly ProposedEvent[]): AppendOutcome {
    if (events.length === 0) {
      return { ok: true, currentRevision: BigInt(stream.length - 1), position: undefined, idempotent: false };
    }
    const created = BigInt(this.now()) * TICKS_PER_MS;
    let last: LogRecord | undefined;
    for (const event of events) {
      const size =
        RECORD_OVERHEAD +
        BigInt(Buffer.byteLength(streamId) + Buffer.byteLength(event.type) + event.data.length + event.customMetadata.length);
      const record: LogRecord = {
        position: this.nextPosition,
        streamId,
        revision: BigInt(stream.length),
        eventId: event.eventId,
        type: event.type,
        contentType: event.contentType,
        data: event.data,
        customMetadata: event.customMetadata,
        created,
      };
      this.nextPosition += size;
      stream.push(record);
      this.records.push(record);
      this.byEventId.set(record.eventId, record);
      last = record;
    }
    this.streams.set(streamId, stream);
    for (const listener of [...this.listeners]) listener();
    return { ok: true, currentRevision: last!.revision, position: last!.position, idempotent: false };
  }

  /** Events of one stream, or undefined when it does not exist. `from` is inclusive in both directions. */
  readStream(streamId: string, from: ReadFrom, direction: 'forwards' | 'backwards', count: bigint): LogRecord[] | undefined {
    const stream = this.streams.get(streamId);
    if (!stream) return undefined;
    const out: LogRecord[] = [];
    if (direction === 'forwards') {
      let i = from === 'start' ? 0 : from === 'end' ? stream.length : Number(from);
      for (; i < stream.length && BigInt(out.length) < count; i++) out.push(stream[i]);
    } else {
      let i = from === 'end' ? stream.length - 1 : from === 'start' ? 0 : Math.min(Number(from), stream.length - 1);
      if (from === 'start') i = -1; // backwards from the start reads nothing, as in EventStoreDB
      for (; i >= 0 && BigInt(out.length) < count; i--) out.push(stream[i]);
    }
    return out;
  }

  /** Index of the first record with position >= `position`. */
  indexAtOrAfter(position: bigint): number {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.records[mid].position < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * $all read. Forwards from a position is inclusive (the record at that position comes first);
   * backwards from a position is exclusive (records strictly before it), as EventStoreDB's
   * transaction-file reader behaves.
   */
  readAll(from: ReadFrom, direction: 'forwards' | 'backwards', count: bigint, filter?: EventFilter): LogRecord[] {
    const out: LogRecord[] = [];
    if (direction === 'forwards') {
      let i = from === 'start' ? 0 : from === 'end' ? this.records.length : this.indexAtOrAfter(from);
      for (; i < this.records.length && BigInt(out.length) < count; i++) {
        if (filterMatches(filter, this.records[i])) out.push(this.records[i]);
      }
    } else {
      let i = from === 'end' ? this.records.length - 1 : from === 'start' ? -1 : this.indexAtOrAfter(from) - 1;
      for (; i >= 0 && BigInt(out.length) < count; i--) {
        if (filterMatches(filter, this.records[i])) out.push(this.records[i]);
      }
    }
    return out;
  }
}
