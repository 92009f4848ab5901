import { comparePositions, type EventStore, type GlobalPosition, type StoredEvent } from '../event-store.port';
import type { ProcessorRunner } from './checkpointed-processor';

/** How one consumer reads the global order for all its processors. */
export interface EventConsumerOptions {
  /**
   * Longest a silent consumer waits on its one subscription before it looks again (default 1000 ms).
   * The shortest `idleWaitMs` of its running processors wins when shorter.
   */
  readonly idleWaitMs?: number;
  /**
   * How long the consumer waits for a processor that is still in `handleBatch` once the batch was given
   * to every processor (default 250 ms). A processor slower than that (a broker that takes seconds to
   * fail) goes on in the background; the others get the next batches without it, and it catches up
   * with its own reads when it is done.
   */
  readonly detachAfterMs?: number;
}

/**
 * Counters of one consumer since it was made, for benchmarks and the status endpoint. Nothing here is
 * reset; read it twice and subtract for a rate.
 */
export interface ConsumerMetrics {
  /** Every `readAll` the consumer made, empty answers included. */
  readonly readAllCalls: number;
  /** `readAll` answers that held events. */
  readonly batchesRead: number;
  /** Events decoded (read) by the consumer: each event once per read that returned it. */
  readonly eventsRead: number;
  /** Reads whose batch went to more than one processor. */
  readonly sharedReads: number;
  /** Idle waits for a new event (each one short-lived subscription at most). */
  readonly waits: number;
  /** The highest position any read has seen: the head when the consumer last looked. */
  readonly headSeen?: GlobalPosition;
  readonly processors: Readonly<Record<string, ProcessorMetrics>>;
}

/** Counters of one processor in its consumer. */
export interface ProcessorMetrics {
  /** Events handed to `handleBatch` (after the streamPrefixes filter), retries included. */
  readonly eventsDelivered: number;
  /** `handleBatch` calls (empty ones that only move the checkpoint included). */
  readonly batches: number;
  /** Events in the last `handleBatch` call. */
  readonly lastBatchSize: number;
  /** Total time spent in `handleBatch` and `quarantineLead`, in milliseconds. */
  readonly handleBatchMs: number;
  /** Reads the processor got its events from (shared with others or its own). */
  readonly reads: number;
  /** Of those, reads made for it alone (catching up, or alone at its position). */
  readonly ownReads: number;
  /** Head seen by the consumer minus the processor's position, in commit units; absent before the first read. */
  readonly lag?: number;
}

/**
 * One reader of the global order for many processors (a projection, a reaction, the Kafka relay), as
 * Emmett's consumers or Marten's async daemon: each batch is read (decoded, upcast, decrypted) once and
 * given to every processor at that position; each processor keeps its own checkpoint and semantics
 * ({@link ProcessorRunner}). The processors are grouped by position: a group reads after its position;
 * a group behind the next one reads only up to it, so the two merge there. A processor that is retrying,
 * stopped by a poison event, or refolding from zero forms its own group and so never holds back the
 * others; it holds at most one batch, so memory stays bounded. When every group is at the head, the
 * consumer waits once (one short-lived subscription) for the next event.
 */
export class EventConsumer {
  private readonly runners: ProcessorRunner[] = [];
  private loop?: Promise<void>;
  private wake?: () => void;
  private changed = false;
  /** Runners whose live delivery the loop is waiting for. */
  private readonly awaiting = new Set<ProcessorRunner>();
  private counters = { readAllCalls: 0, batchesRead: 0, eventsRead: 0, sharedReads: 0, waits: 0 };
  private head?: GlobalPosition;

  constructor(
    private readonly store: EventStore,
    private readonly options: EventConsumerOptions = {},
  ) {}

  /** Called by the ProcessorRunner constructor: the runner reads through this consumer from now on. */
  attach(runner: ProcessorRunner): void {
    if (this.runners.some((r) => r.processor.name === runner.processor.name)) {
      throw new Error(`a processor named ${runner.processor.name} is already registered with this consumer`);
    }
    this.runners.push(runner);
  }

  members(): readonly ProcessorRunner[] {
    return this.runners;
  }

  metrics(): ConsumerMetrics {
    return {
      ...this.counters,
      headSeen: this.head,
      processors: Object.fromEntries(this.runners.map((r) => [r.processor.name, r.metrics()])),
    };
  }

  /** The highest position a read has seen, for the processors' lag. */
  headSeen(): GlobalPosition | undefined {
    return this.head;
  }

  /** Something changed (a runner started, stopped, finished a slow batch, left its backoff): look again. */
  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    // Heard by the next wait when nobody waits now: a change during a read is not lost.
    if (wake) wake();
    else this.changed = true;
  }

  /** @internal A runner's live delivery ended: news for the loop only when it stopped waiting for it (a straggler). */
  delivered(runner: ProcessorRunner): void {
    if (!this.awaiting.has(runner)) this.notify();
  }

  /** Starts the live loop when a runner is active and it does not run yet. */
  ensureRunning(): void {
    if (!this.loop && this.runners.some((r) => r.isActive())) this.loop = this.run();
    else this.notify();
  }

  /** Resolves when the live loop has ended (no runner is active any more), at once when it is not running. */
  async settled(): Promise<void> {
    if (this.runners.some((r) => r.isActive())) return;
    this.notify();
    await this.loop;
  }

  /**
   * One pass up to the current head for `runners` (default all), sharing reads as the live loop does,
   * without waiting for live events: for rebuilds and tools. The runners must not be running live. A
   * runner that fails leaves the pass (the others go on); the first failure is thrown at the end.
   * A checkpoint moved by another process is followed, not a failure.
   */
  async catchUp(runners: readonly ProcessorRunner[] = this.runners): Promise<void> {
    const pass = new Set(runners);
    const errors: unknown[] = [];
    for (const runner of runners) await runner.beginPass();
    try {
      while (pass.size > 0) {
        const groups = groupByPosition([...pass]);
        for (const [index, group] of groups.entries()) {
          let batch: StoredEvent[];
          try {
            batch = await this.read(group.position, group.members, groups[index + 1]?.position);
          } catch (error) {
            errors.push(error);
            for (const runner of group.members) pass.delete(runner);
            continue;
          }
          // At the head: this group is done.
          if (batch.length === 0) for (const runner of group.members) pass.delete(runner);
          for (const runner of batch.length ? group.members : []) {
            const error = await runner.deliverInPass(batch, group.position, group.members.length > 1);
            if (error !== undefined) {
              errors.push(error);
              pass.delete(runner);
            }
          }
        }
      }
    } finally {
      for (const runner of runners) runner.endPass();
      this.notify();
    }
    if (errors.length) throw errors[0];
  }

  private async run(): Promise<void> {
    // Yields first, so that `this.loop` is set before the loop can end.
    await Promise.resolve();
    try {
      while (this.runners.some((r) => r.isActive())) {
        const groups = groupByPosition(this.runners.filter((r) => r.isReady(Date.now())));
        let read = 0;
        let failed = false;
        for (const [index, group] of groups.entries()) {
          let batch: StoredEvent[];
          try {
            batch = await this.read(group.position, group.members, groups[index + 1]?.position);
          } catch (error) {
            // The store is unreachable: every processor of the group keeps its checkpoint and backs off.
            failed = true;
            for (const runner of group.members) runner.failedLive(error);
            continue;
          }
          for (const runner of group.members) runner.readSucceeded();
          read += batch.length;
          if (batch.length) await this.deliverLive(batch, group.position, group.members);
        }
        if (read > 0) continue;
        await this.idle(groups.length === 1 && !failed ? groups[0].position : undefined);
      }
    } finally {
      this.loop = undefined;
    }
  }

  /**
   * Reads after `after` for `members`: as many events as the largest batch size among them, open
   * personal data only when one of them needs it, and no further than `until` (the next group's
   * position), so this group lands exactly there and the two read together from then on.
   */
  private async read(
    after: GlobalPosition,
    members: readonly ProcessorRunner[],
    until?: GlobalPosition,
  ): Promise<StoredEvent[]> {
    const maxCount = Math.max(...members.map((r) => r.batchSize));
    const personalData = members.some((r) => r.processor.personalData === 'open') ? 'open' : 'sealed';
    this.counters.readAllCalls++;
    let batch = await this.store.readAll({ after, maxCount, personalData });
    if (batch.length) {
      const last = batch[batch.length - 1].position;
      if (!this.head || comparePositions(last, this.head) > 0) this.head = last;
      this.counters.batchesRead++;
      this.counters.eventsRead += batch.length;
    } else if (!this.head || comparePositions(after, this.head) > 0) {
      this.head = after;
    }
    if (until && batch.length && comparePositions(batch[batch.length - 1].position, until) > 0) {
      const cut = batch.findIndex((e) => comparePositions(e.position, until) > 0);
      batch = batch.slice(0, cut);
    }
    if (batch.length && members.length > 1) this.counters.sharedReads++;
    return batch;
  }

  /**
   * Gives the batch to every member still at `from`, side by side, and waits for them, but no longer
   * than `detachAfterMs` once they all had it: a slower one finishes in the background and rejoins later.
   */
  private async deliverLive(batch: StoredEvent[], from: GlobalPosition, members: readonly ProcessorRunner[]): Promise<void> {
    const now = Date.now();
    const recipients = members.filter((r) => r.isReady(now) && comparePositions(r.position(), from) === 0);
    const shared = recipients.length > 1;
    for (const r of recipients) this.awaiting.add(r);
    const deliveries = recipients.map((r) => r.deliverLive(batch, from, shared));
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.all(deliveries),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.detachAfterMs ?? 250))),
      ]);
    } finally {
      clearTimeout(timer);
      this.awaiting.clear();
    }
  }

  /**
   * Waits for a new event after `after` through one short-lived subscription, for a change
   * ({@link notify}), for the end of the nearest backoff, or for the idle timeout; then lets events
   * gather for the longest `coalesceMs` of the active processors.
   */
  private async idle(after: GlobalPosition | undefined): Promise<void> {
    const active = this.runners.filter((r) => r.isActive());
    if (active.length === 0 || this.changed) {
      this.changed = false;
      return;
    }
    const now = Date.now();
    const idleWaitMs = Math.min(this.options.idleWaitMs ?? 1000, ...active.map((r) => r.idleWaitMs ?? Number.POSITIVE_INFINITY));
    const nextReady = Math.min(...active.map((r) => r.readyAt()).filter((t) => t > now));
    const timeout = Math.max(0, Math.min(idleWaitMs, nextReady - now));
    this.counters.waits++;
    const subscription = after ? this.store.subscribeToAll({ after, maxCount: 1, personalData: 'sealed' }) : undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      const woken = new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, timeout);
      });
      const next = subscription ? subscription[Symbol.asyncIterator]().next().catch(() => undefined) : new Promise<void>(() => undefined);
      await Promise.race([woken, next]);
    } finally {
      clearTimeout(timer);
      this.wake = undefined;
      await subscription?.close().catch(() => undefined);
    }
    const coalesceMs = Math.max(0, ...this.runners.filter((r) => r.isActive()).map((r) => r.coalesceMs));
    if (coalesceMs > 0) await this.sleep(coalesceMs);
  }

  /** A pause that {@link notify} cuts short (a stop must not wait for the coalescing). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

interface Group {
  readonly position: GlobalPosition;
  readonly members: ProcessorRunner[];
}

/** Runners by position, lowest first. */
function groupByPosition(runners: readonly ProcessorRunner[]): Group[] {
  const groups: Group[] = [];
  for (const runner of runners) {
    const position = runner.position();
    const group = groups.find((g) => comparePositions(g.position, position) === 0);
    if (group) group.members.push(runner);
    else groups.push({ position, members: [runner] });
  }
  return groups.sort((a, b) => comparePositions(a.position, b.position));
}
