import {
  comparePositions,
  type EventStore,
  type GlobalPosition,
  positionToString,
  START_POSITION,
  type StoredEvent,
} from '../event-store.port';
import { EventStoreError } from '../event-store.errors';
import type { Lease } from '../lease/lease.port';
import { type ProcessorCheckpoints, type ProcessorFailure } from './checkpoint-store';
import { EventConsumer, type ProcessorMetrics } from './event-consumer';

/** Something that follows the store's global order: a projection, a reaction, the Kafka relay. */
export interface EventProcessor {
  readonly name: string;
  /** Events of other streams are not delivered; the checkpoint still moves past them. */
  readonly streamPrefixes?: readonly string[];
  /**
   * Handles one batch. When it returns, the runner saves the checkpoint, unless `commitsCheckpoint` is
   * set: then the processor saves it itself inside its own transaction (exactly-once read models).
   */
  handleBatch(events: StoredEvent[], checkpoint: GlobalPosition, after: GlobalPosition): Promise<void>;
  readonly commitsCheckpoint?: boolean;
  /**
   * `open`: the processor needs personal data decrypted (the Kafka relay publishes it). Default
   * `sealed`: it never shows personal data (projections, reactions), so its consumer reads the log
   * sealed, without decrypting, unless another processor reading with it needs it open.
   */
  readonly personalData?: 'open' | 'sealed';
  /**
   * Policy `quarantine`: holds the lead of a poison event (records it with `failure`) and moves the
   * checkpoint from `after` to `upTo`, all in one transaction, so the quarantine is exact across crashes.
   * Answers false when the event belongs to no lead; the runner then parks it. A processor without this
   * method has its poison events parked under `quarantine`.
   */
  quarantineLead?(event: StoredEvent, failure: ProcessorFailure, upTo: GlobalPosition, after: GlobalPosition): Promise<boolean>;
}

/**
 * What happens to an event that keeps failing: `stop` the processor (for every tenant), `park` it (skip
 * it, record it), or `quarantine` its lead (the processor holds that lead, everything else goes on).
 */
export type PoisonPolicy = 'stop' | 'park' | 'quarantine';
export const POISON_POLICIES: readonly PoisonPolicy[] = ['quarantine', 'stop', 'park'];

/**
 * Options of one processor. `poisonPolicy` and `maxAttempts` are its own. `batchSize` is the most
 * events one `handleBatch` call gets (its transaction size); the consumer reads as many as the largest
 * batch size of the processors reading together and cuts the batch into slices for each. `idleWaitMs`
 * and `coalesceMs` are the consumer's: it uses the shortest idle wait and the longest coalescing of its
 * running processors.
 */
export interface ProcessorRunnerOptions {
  readonly batchSize?: number;
  /** How long an idle consumer waits for a new event before it looks again. */
  readonly idleWaitMs?: number;
  /** What to do with an event that fails for a reason other than an unavailable store. */
  readonly poisonPolicy?: PoisonPolicy;
  /** Retries of a failing event before the poison policy applies. */
  readonly maxAttempts?: number;
  /**
   * After an idle wait ends, how long to let more events arrive before reading: many events per
   * transaction instead of one, at the price of that much more lag. 0 reads at once.
   */
  readonly coalesceMs?: number;
  readonly log?: (message: string) => void;
  /**
   * Where this processor's checkpoint and failures live, instead of the host's store: a reaction that
   * keeps its state in a file of its own commits state and checkpoint there in one transaction; the
   * Kafka relay of a fleet keeps its checkpoint in PostgreSQL (answers later: the runner awaits it).
   */
  readonly checkpoints?: ProcessorCheckpoints;
  /**
   * A processor that must not run twice in a fleet runs only while this instance holds this lease:
   * `start` waits for it (a standby keeps trying), a lost lease stops the processor (no new batch
   * starts once the lease's deadline has passed), and `stop` releases it.
   */
  readonly lease?: Lease;
}

export type ProcessorState = 'idle' | 'running' | 'retrying' | 'stopped';

export interface ProcessorStatus {
  readonly name: string;
  readonly state: ProcessorState;
  readonly position: GlobalPosition;
  readonly lastError?: string;
  readonly stoppedReason?: string;
  readonly lastEventRecordedAt?: string;
  /** Counters of the processor in its consumer (events, batches, time in handleBatch, lag). */
  readonly metrics: ProcessorMetrics;
  /** For a leased processor: whether this instance holds its lease now, and the term of that tenure. */
  readonly lease?: { readonly name: string; readonly held: boolean; readonly term?: number };
}

/**
 * A leased processor was about to hand a batch over after its lease's deadline: it stops instead (the
 * lease's loss stops the runner). Retryable, so nothing is parked for it.
 */
export class LeaseLostError extends Error {
  readonly retryable = true;
  constructor(processor: string, lease: string) {
    super(`${processor} does not hold lease ${lease} any more: not handling the batch`);
    this.name = 'LeaseLostError';
  }
}

/**
 * A processor that commits its own checkpoint found it elsewhere than where the batch started: another
 * runner (a rebuild, a second process) moved it. The runner resumes from the stored checkpoint.
 */
export class CheckpointMovedError extends Error {
  readonly retryable = true;
  constructor(name: string, stored: GlobalPosition, after: GlobalPosition) {
    super(`checkpoint of ${name} is at ${positionToString(stored)}, not ${positionToString(after)}: resuming from the stored one`);
  }
}

/** Thrown to a processor's caller for an event that stopped it. */
export class PoisonEventError extends Error {
  constructor(
    readonly processor: string,
    readonly event: StoredEvent,
    cause: unknown,
  ) {
    super(
      `${processor} cannot handle event ${event.eventId} (${event.type}) at position ${positionToString(event.position)}: ${
        (cause as Error)?.message ?? cause
      }`,
      { cause },
    );
  }
}

/**
 * One processor's place in an {@link EventConsumer}: its checkpoint, state and poison policy. It
 * follows the store's global order from its durable checkpoint; a crash at any point resumes from the
 * last saved checkpoint. Built without a consumer, it gets one of its own (one processor, one reader,
 * as before); the ProcessorHost puts all its processors on one consumer, which reads each batch once.
 */
export class ProcessorRunner {
  private current: GlobalPosition = START_POSITION;
  private state: ProcessorState = 'idle';
  private lastError?: string;
  private stoppedReason?: string;
  private lastEventRecordedAt?: string;
  private active = false;
  private inPass = false;
  private busy?: Promise<void>;
  private notBefore = 0;
  private backoff = 50;
  private readonly waiters = new Set<{ target: GlobalPosition; resolve: () => void }>();
  private readonly counters = { eventsDelivered: 0, batches: 0, lastBatchSize: 0, handleBatchMs: 0, reads: 0, ownReads: 0 };
  private readonly consumer: EventConsumer;
  private readonly checkpoints: ProcessorCheckpoints;
  /** A checkpoint load in flight (a store that answers later): the runner takes no batch until it lands. */
  private loading?: Promise<void>;
  /** Started by its caller: a leased runner runs whenever its lease is held while this is set. */
  private wanted = false;

  constructor(
    store: EventStore,
    checkpoints: ProcessorCheckpoints,
    readonly processor: EventProcessor,
    private readonly options: ProcessorRunnerOptions = {},
    /** The consumer it reads through; its own when absent. */
    consumer?: EventConsumer,
  ) {
    this.checkpoints = options.checkpoints ?? checkpoints;
    this.consumer = consumer ?? new EventConsumer(store, { idleWaitMs: options.idleWaitMs });
    this.consumer.attach(this);
  }

  /**
   * Follows the log live, through the consumer, until {@link stop} or a poison event under `stop`. A
   * leased runner starts whenever its lease is granted, and stops whenever it is lost, until {@link stop}.
   */
  start(): void {
    const lease = this.options.lease;
    if (!lease) return this.run();
    if (this.wanted) {
      // Started again after a poison stop while the lease is held: run again.
      if (lease.held()) this.run();
      return;
    }
    this.wanted = true;
    lease.run({
      // A new tenure resumes from the checkpoint as stored: shared, it is where the last holder saved.
      acquired: () => {
        if (this.wanted) this.run();
      },
      // Told on stop() too, after the runner has halted already: nothing more to do then.
      lost: (reason) => (this.wanted ? this.halt(reason) : undefined),
    });
  }

  private run(): void {
    if (this.active) return;
    this.stoppedReason = undefined;
    void this.reloadPosition();
    this.state = 'running';
    this.notBefore = 0;
    this.backoff = 50;
    this.active = true;
    this.consumer.ensureRunning();
  }

  async stop(): Promise<void> {
    this.wanted = false;
    await this.halt();
    await this.options.lease?.stop();
  }

  /**
   * Stops taking batches and waits for the one in flight (a leased processor's save after its lease
   * ended is refused by the fenced store, so that batch is abandoned, not checkpointed).
   */
  private async halt(reason?: string): Promise<void> {
    if (reason) this.log(`processor ${this.processor.name} stops: ${reason}`);
    this.active = false;
    this.consumer.notify();
    await this.busy;
    await this.consumer.settled();
    if (this.state !== 'stopped' || !this.stoppedReason) this.state = 'idle';
  }

  /**
   * Processes everything up to the current head once, without waiting for live events, with reads of
   * its own (not shared with the live processors of its consumer, which go on meanwhile). When another
   * runner of the same processor (a live API during a rebuild) moves the checkpoint, it continues from there.
   */
  async catchUp(): Promise<void> {
    await this.consumer.catchUp([this]);
  }

  status(): ProcessorStatus {
    return {
      name: this.processor.name,
      state: this.state,
      position: this.current,
      lastError: this.lastError,
      stoppedReason: this.stoppedReason,
      lastEventRecordedAt: this.lastEventRecordedAt,
      metrics: this.metrics(),
      ...(this.options.lease ? { lease: this.leaseStatus(this.options.lease) } : {}),
    };
  }

  private leaseStatus(lease: Lease): ProcessorStatus['lease'] {
    const grant = lease.held();
    return { name: lease.name, held: grant !== undefined, ...(grant ? { term: grant.term } : {}) };
  }

  metrics(): ProcessorMetrics {
    const head = this.consumer.headSeen();
    const lag = head === undefined ? undefined : Math.max(0, Number(head.commit - this.current.commit));
    return { ...this.counters, lag };
  }

  /** Resolves once the processor has handled everything up to `target`, or rejects after `timeoutMs`. */
  waitFor(target: GlobalPosition, timeoutMs: number): Promise<boolean> {
    if (comparePositions(this.current, target) >= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        target,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  // --- what the consumer asks of its runners ---------------------------------------------------

  /** @internal The position up to which everything is handled (the checkpoint as this process knows it). */
  position(): GlobalPosition {
    return this.current;
  }

  /** @internal */
  get batchSize(): number {
    return this.options.batchSize ?? 500;
  }

  /** @internal */
  get idleWaitMs(): number | undefined {
    return this.options.idleWaitMs;
  }

  /** @internal */
  get coalesceMs(): number {
    return this.options.coalesceMs ?? 0;
  }

  /** @internal Started and not stopped (a processor in its backoff is active). */
  isActive(): boolean {
    return this.active;
  }

  /** @internal Can take a batch of the live loop now: active, not in a batch or a catch-up, past its backoff. */
  isReady(now: number): boolean {
    return this.active && !this.busy && !this.inPass && !this.loading && this.notBefore <= now;
  }

  /** @internal When its backoff ends (0 when it has none). */
  readyAt(): number {
    return this.notBefore;
  }

  /** @internal Starts a catch-up pass: the live loop leaves it alone until {@link endPass}. */
  async beginPass(): Promise<void> {
    this.inPass = true;
    await this.busy;
    await this.reloadPosition();
  }

  /** @internal */
  endPass(): void {
    this.inPass = false;
  }

  /** @internal A live read for it succeeded: a processor retrying because the store was down is running again. */
  readSucceeded(): void {
    if (this.state === 'retrying') this.state = 'running';
    this.backoff = 50;
  }

  /**
   * @internal Handles `batch` (read after `from`) in the live loop; never rejects: a failure becomes the
   * runner's state (retrying with backoff, stopped by a poison event, or a reload of a moved checkpoint).
   */
  deliverLive(batch: StoredEvent[], from: GlobalPosition, shared: boolean): Promise<void> {
    const delivery = this.take(batch, from, shared).then(
      () => {
        if (this.state === 'retrying') this.state = 'running';
        this.backoff = 50;
      },
      (error: unknown) => this.failedLive(error),
    );
    this.busy = delivery.finally(() => {
      this.busy = undefined;
      this.consumer.delivered(this);
    });
    return this.busy;
  }

  /** @internal Handles `batch` in a catch-up pass; answers the error that ends its pass, if any. */
  async deliverInPass(batch: StoredEvent[], from: GlobalPosition, shared: boolean): Promise<unknown> {
    try {
      await this.take(batch, from, shared);
      return undefined;
    } catch (error) {
      if (!(error instanceof CheckpointMovedError)) return error;
      void this.reloadPosition();
      return undefined;
    }
  }

  /**
   * @internal What a failure does to a live runner. Never throws: a failure while handling the failure
   * (the checkpoint database closed under it) stops this runner only, never the consumer.
   */
  failedLive(error: unknown): void {
    try {
      this.recover(error);
    } catch (fatal) {
      this.stopWith(fatal);
    }
  }

  private stopWith(error: unknown): void {
    this.state = 'stopped';
    this.stoppedReason = (error as Error)?.message ?? String(error);
    this.active = false;
    this.log(`processor ${this.processor.name} stopped: ${this.stoppedReason}`);
  }

  private recover(error: unknown): void {
    if (error instanceof PoisonEventError) return this.stopWith(error);
    if (error instanceof CheckpointMovedError) {
      // Another runner (a rebuild) moved the checkpoint: not a failure, resume from it at once.
      void this.reloadPosition();
      return;
    }
    // The store is unreachable or a transient error: keep the checkpoint, wait, try again.
    if (this.processor.commitsCheckpoint) void this.reloadPosition();
    this.state = 'retrying';
    this.lastError = (error as Error)?.message ?? String(error);
    this.log(`processor ${this.processor.name}: ${this.lastError}; retrying in ${this.backoff} ms`);
    this.notBefore = Date.now() + this.backoff;
    this.backoff = Math.min(this.backoff * 2, 5000);
  }

  /**
   * Hands the part of `batch` after its position to the processor, in slices of its batch size, each
   * with the checkpoint of the slice's last event (of any stream: the checkpoint moves past the others).
   */
  private async take(batch: StoredEvent[], from: GlobalPosition, shared: boolean): Promise<void> {
    if (comparePositions(this.current, from) !== 0) return;
    this.counters.reads++;
    if (!shared) this.counters.ownReads++;
    const prefixes = this.processor.streamPrefixes;
    const size = this.batchSize;
    for (let start = 0; start < batch.length; start += size) {
      const slice = batch.slice(start, start + size);
      const relevant = prefixes ? slice.filter((e) => prefixes.some((p) => e.streamId.startsWith(p))) : slice;
      const last = slice[slice.length - 1];
      await this.deliver(relevant, last.position, this.current);
      this.lastEventRecordedAt = last.metadata.recordedAt;
      this.moveTo(last.position);
    }
  }

  private async deliver(events: StoredEvent[], checkpoint: GlobalPosition, after: GlobalPosition): Promise<void> {
    const lease = this.options.lease;
    if (lease && !lease.held()) throw new LeaseLostError(this.processor.name, lease.name);
    const slice = new SliceCommitter(this.processor, this.checkpoints, after, (position) => this.moveTo(position), (n, work) => this.timed(n, work));
    try {
      await slice.commit(events, checkpoint);
      return;
    } catch (error) {
      if (isTransient(error) || events.length === 0) throw error;
    }
    // Something in the batch fails: go one event at a time to find it and keep the good ones.
    for (const [index, event] of events.entries()) {
      const upTo = index === events.length - 1 ? checkpoint : event.position;
      await this.deliverOne(event, upTo, slice);
    }
  }

  private async deliverOne(event: StoredEvent, upTo: GlobalPosition, slice: SliceCommitter): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        await slice.commit([event], upTo);
        return;
      } catch (error) {
        if (isTransient(error)) throw error;
        if (attempt < maxAttempts) continue;
        await this.poisoned(event, upTo, slice, error);
        return;
      }
    }
  }

  /** Applies the poison policy to an event that failed every attempt. */
  private async poisoned(event: StoredEvent, upTo: GlobalPosition, slice: SliceCommitter, error: unknown): Promise<void> {
    const policy = this.options.poisonPolicy ?? 'stop';
    const message = (error as Error)?.message ?? String(error);
    const failure = (action: ProcessorFailure['action']): ProcessorFailure => ({
      processor: this.processor.name,
      position: positionToString(event.position),
      eventId: event.eventId,
      eventType: event.type,
      error: message,
      action,
      at: new Date().toISOString(),
    });
    if (policy === 'quarantine' && (await slice.quarantine(event, failure('quarantined'), upTo))) {
      this.log(`processor ${this.processor.name} quarantined lead ${String(event.data.leadId)} at event ${event.eventId}: ${message}`);
      return;
    }
    await this.checkpoints.recordFailure(failure(policy === 'stop' ? 'stopped' : 'parked'));
    if (policy === 'stop') throw new PoisonEventError(this.processor.name, event, error);
    this.log(`processor ${this.processor.name} parked event ${event.eventId}: ${message}`);
    await slice.commit([], upTo);
  }

  /** Counts and times one call into the processor. */
  private async timed<T>(events: number, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    this.counters.batches++;
    this.counters.eventsDelivered += events;
    this.counters.lastBatchSize = events;
    try {
      return await work();
    } finally {
      this.counters.handleBatchMs += performance.now() - started;
    }
  }

  /** The one place the position moves: every committed slice, every reload, and the waiters hear of it. */
  private moveTo(position: GlobalPosition): void {
    this.current = position;
    for (const waiter of [...this.waiters]) {
      if (comparePositions(position, waiter.target) >= 0) waiter.resolve();
    }
  }

  /**
   * Takes the position from the checkpoint store: at once from a store that answers at once (SQLite),
   * otherwise once its answer lands; until then the consumer gives this runner no batch. A load that
   * fails (the shared store unreachable) is a retry with backoff, as an unreachable event store is.
   */
  private reloadPosition(): void | Promise<void> {
    const loaded = this.checkpoints.load(this.processor.name);
    if (!(loaded instanceof Promise)) return this.moveTo(loaded ?? START_POSITION);
    const loading: Promise<void> = loaded.then(
      (position) => this.moveTo(position ?? START_POSITION),
      (error: unknown) => {
        this.recover(error);
        setTimeout(() => {
          if (this.active && !this.loading) void this.reloadPosition();
        }, Math.max(0, this.notBefore - Date.now()));
      },
    ).finally(() => {
      if (this.loading === loading) this.loading = undefined;
      this.consumer.notify();
    });
    this.loading = loading;
    return loading;
  }

  private log(message: string): void {
    (this.options.log ?? ((m: string) => console.warn(m)))(message);
  }
}

/** Commits the slices of one batch in order, each starting where the previous one ended. */
class SliceCommitter {
  constructor(
    private readonly processor: EventProcessor,
    private readonly checkpoints: ProcessorCheckpoints,
    private from: GlobalPosition,
    private readonly moved: (position: GlobalPosition) => void,
    private readonly timed: <T>(events: number, work: () => Promise<T>) => Promise<T>,
  ) {}

  async commit(events: StoredEvent[], upTo: GlobalPosition): Promise<void> {
    await this.timed(events.length, () => this.processor.handleBatch(events, upTo, this.from));
    if (!this.processor.commitsCheckpoint) await this.checkpoints.save(this.processor.name, upTo);
    this.done(upTo);
  }

  /** Quarantines the event's lead through the processor; false when it cannot (no lead, no support). */
  async quarantine(event: StoredEvent, failure: ProcessorFailure, upTo: GlobalPosition): Promise<boolean> {
    const quarantineLead = this.processor.quarantineLead?.bind(this.processor);
    if (!quarantineLead || !(await this.timed(1, () => quarantineLead(event, failure, upTo, this.from)))) return false;
    this.done(upTo);
    return true;
  }

  private done(upTo: GlobalPosition): void {
    this.from = upTo;
    this.moved(upTo);
  }
}

function isTransient(error: unknown): boolean {
  // Domain errors flag a concurrency conflict as retryable; the runner knows no domain.
  return (error instanceof EventStoreError && error.retryable) || (error as { retryable?: boolean })?.retryable === true;
}
