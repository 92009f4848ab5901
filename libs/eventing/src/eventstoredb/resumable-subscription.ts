import { type AllStreamResolvedEvent, type AllStreamSubscription, type EventStoreDBClient, START, streamNameFilter } from '@eventstore/db-client';
import { comparePositions, type GlobalPosition, type StoredEvent, type Subscription } from '../event-store.port';
import { isSystemEvent, type MappingOptions, toStoredEvent } from './esdb-event-mapping';

export interface ResumableSubscriptionOptions {
  readonly after?: GlobalPosition;
  readonly streamPrefixes?: readonly string[];
  /** Server checkpoint every `checkpointIntervalMultiplier` x 32 considered events. */
  readonly checkpointIntervalMultiplier: number;
  readonly initialRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
  /** Pause the gRPC stream when this many events wait for the consumer. */
  readonly highWaterMark: number;
  readonly mapping: MappingOptions;
  readonly onWarning: (message: string, error?: unknown) => void;
  readonly onClose: (subscription: ResumableSubscription) => void;
}

type Item = { readonly kind: 'event'; readonly event: StoredEvent };

/**
 * A catch-up subscription to $all that survives connection drops and server restarts.
 *
 * It subscribes with a server-side filter (stream name prefixes, or every stream not starting
 * with `$`), and remembers `resumeAfter`: the position of the last event it has queued for the
 * consumer, advanced further by the server's filter checkpoints when every event before a
 * checkpoint has already been queued. When the gRPC stream fails or ends, it subscribes again after
 * `resumeAfter` (exclusive), with exponential backoff, so the consumer sees every event once, in
 * order, with neither gaps nor duplicates. Events already queued survive the reconnect.
 */
export class ResumableSubscription implements Subscription {
  private readonly queue: Item[] = [];
  private waiter: (() => void) | undefined;
  private current: AllStreamSubscription | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private closed = false;
  private paused = false;
  /** Exclusive position to resume from; undefined = from the start of $all. */
  private resumeAfter: GlobalPosition | undefined;
  /** How many times the subscription was (re)established; 1 after the first subscribe. */
  connects = 0;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: ResumableSubscriptionOptions,
  ) {
    const after = options.after;
    this.resumeAfter = after && (after.commit >= 0n || after.prepare >= 0n) ? after : undefined;
    this.connect();
  }

  /** The position the subscription would resume after if the connection dropped now. */
  get resumePosition(): GlobalPosition | undefined {
    return this.resumeAfter;
  }

  [Symbol.asyncIterator](): AsyncIterator<StoredEvent> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.queue.length = 0;
    this.wake();
    const current = this.current;
    this.current = undefined;
    this.options.onClose(this);
    if (current) await unsubscribeQuietly(current);
  }

  private async next(): Promise<IteratorResult<StoredEvent>> {
    for (;;) {
      if (this.closed) return { done: true, value: undefined };
      const item = this.queue.shift();
      if (item) {
        if (this.paused && this.queue.length <= this.options.highWaterMark / 4) {
          this.paused = false;
          this.current?.resume();
        }
        return { done: false, value: item.event };
      }
      await new Promise<void>((resolve) => (this.waiter = resolve));
      this.waiter = undefined;
    }
  }

  private wake(): void {
    this.waiter?.();
  }

  private connect(): void {
    if (this.closed) return;
    this.connects++;
    let subscription: AllStreamSubscription | undefined = undefined;
    const checkpointReached = (_s: unknown, position: { commit: bigint; prepare: bigint }) => {
      // Only trust a checkpoint when every event the server sent before it has reached our queue:
      // nothing may be left in the client stream's own buffer.
      if (subscription !== this.current || !subscription || subscription.readableLength > 0) return;
      this.advance(position);
    };
    const prefixes = this.options.streamPrefixes;
    const filter =
      prefixes && prefixes.length > 0
        ? streamNameFilter({ prefixes: [...prefixes], checkpointInterval: this.options.checkpointIntervalMultiplier, checkpointReached })
        : streamNameFilter({ regex: '^[^$]', checkpointInterval: this.options.checkpointIntervalMultiplier, checkpointReached });
    try {
      subscription = this.client.subscribeToAll({ fromPosition: this.resumeAfter ?? START, filter });
    } catch (error) {
      this.scheduleReconnect(error);
      return;
    }
    this.current = subscription;
    const sub = subscription;
    sub.on('data', (resolved: AllStreamResolvedEvent) => this.onEvent(sub, resolved));
    sub.on('error', (error: unknown) => this.onDrop(sub, error));
    sub.on('end', () => this.onDrop(sub, new Error('subscription ended by the server')));
    sub.on('close', () => this.onDrop(sub, new Error('subscription stream closed')));
    sub.on('confirmation', () => {
      if (sub === this.current) this.attempt = 0;
    });
  }

  private onEvent(sub: AllStreamSubscription, resolved: AllStreamResolvedEvent): void {
    if (sub !== this.current || this.closed) return;
    this.attempt = 0;
    const event = toStoredEvent(resolved, this.options.mapping);
    if (!event) return;
    if (this.resumeAfter && comparePositions(event.position, this.resumeAfter) <= 0) return; // already delivered
    this.advance(event.position);
    if (isSystemEvent(event.streamId, event.type)) return;
    const prefixes = this.options.streamPrefixes;
    if (prefixes && prefixes.length > 0 && !prefixes.some((p) => event.streamId.startsWith(p))) return;
    this.queue.push({ kind: 'event', event });
    if (!this.paused && this.queue.length >= this.options.highWaterMark) {
      this.paused = true;
      sub.pause();
    }
    this.wake();
  }

  private advance(position: GlobalPosition): void {
    if (!this.resumeAfter || comparePositions(position, this.resumeAfter) > 0) {
      this.resumeAfter = { commit: position.commit, prepare: position.prepare };
    }
  }

  private onDrop(sub: AllStreamSubscription, error: unknown): void {
    if (sub !== this.current) return;
    this.current = undefined;
    this.paused = false;
    void unsubscribeQuietly(sub);
    if (this.closed) return;
    this.scheduleReconnect(error);
  }

  private scheduleReconnect(error: unknown): void {
    if (this.closed) return;
    const base = Math.min(this.options.maxRetryDelayMs, this.options.initialRetryDelayMs * 2 ** this.attempt);
    const delay = Math.round(base / 2 + (Math.random() * base) / 2);
    this.attempt++;
    this.options.onWarning(
      `subscription to $all dropped (${describe(error)}); resubscribing after ${
        this.resumeAfter ? `${this.resumeAfter.commit}/${this.resumeAfter.prepare}` : 'the start'
      } in ${delay} ms`,
      error,
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
  }
}

async function unsubscribeQuietly(sub: AllStreamSubscription): Promise<void> {
  try {
    sub.removeAllListeners('data');
    sub.on('error', () => undefined);
    await sub.unsubscribe();
  } catch {
    // the stream is gone already
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
