import {
  comparePositions,
  EventStore,
  GlobalPosition,
  positionToString,
  START_POSITION,
  StoredEvent,
} from '../event-store.port';
import { EventStoreError } from '../event-store.errors';
import { CheckpointStore, ProcessorFailure } from './checkpoint-store';

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

export interface ProcessorRunnerOptions {
  readonly batchSize?: number;
  /** How long an idle runner waits for a new event before it looks again. */
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
}

export type ProcessorState = 'idle' | 'running' | 'retrying' | 'stopped';

export interface ProcessorStatus {
  readonly name: string;
  readonly state: ProcessorState;
  readonly position: GlobalPosition;
  readonly lastError?: string;
  readonly stoppedReason?: string;
  readonly lastEventRecordedAt?: string;
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
 * Drives one processor from its durable checkpoint through the store's global order: catch up in
 * batches, then wait for new events. A crash at any point resumes from the last saved checkpoint.
 */
export class ProcessorRunner {
  private position: GlobalPosition = START_POSITION;
  private state: ProcessorState = 'idle';
  private lastError?: string;
  private stoppedReason?: string;
  private lastEventRecordedAt?: string;
  private running?: Promise<void>;
  private stopping = false;
  private wake?: () => void;
  private readonly waiters = new Set<{ target: GlobalPosition; resolve: () => void }>();

  constructor(
    private readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
    readonly processor: EventProcessor,
    private readonly options: ProcessorRunnerOptions = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.stoppedReason = undefined;
    this.reloadPosition();
    this.state = 'running';
    this.running = this.loop().catch((error) => {
      this.state = 'stopped';
      this.stoppedReason = (error as Error).message;
      this.running = undefined;
      this.log(`processor ${this.processor.name} stopped: ${this.stoppedReason}`);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
    if (this.state !== 'stopped' || !this.stoppedReason) this.state = 'idle';
  }

  /**
   * Processes everything up to the current head once, without waiting for live events. When another
   * runner of the same processor (a live API during a rebuild) moves the checkpoint, it continues from there.
   */
  async catchUp(): Promise<void> {
    this.reloadPosition();
    for (;;) {
      try {
        if ((await this.processNextBatch()) === 0) return;
      } catch (error) {
        if (!(error instanceof CheckpointMovedError)) throw error;
        this.reloadPosition();
      }
    }
  }

  status(): ProcessorStatus {
    return {
      name: this.processor.name,
      state: this.state,
      position: this.position,
      lastError: this.lastError,
      stoppedReason: this.stoppedReason,
      lastEventRecordedAt: this.lastEventRecordedAt,
    };
  }

  /** Resolves once the processor has handled everything up to `target`, or rejects after `timeoutMs`. */
  waitFor(target: GlobalPosition, timeoutMs: number): Promise<boolean> {
    if (comparePositions(this.position, target) >= 0) return Promise.resolve(true);
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

  private async loop(): Promise<void> {
    let backoff = 50;
    while (!this.stopping) {
      try {
        const processed = await this.processNextBatch();
        backoff = 50;
        if (this.state === 'retrying') this.state = 'running';
        if (processed === 0) {
          await this.idle();
          if (this.options.coalesceMs) await this.sleep(this.options.coalesceMs);
        }
      } catch (error) {
        if (error instanceof PoisonEventError) throw error;
        if (error instanceof CheckpointMovedError) {
          // Another runner (a rebuild) moved the checkpoint: not a failure, resume from it at once.
          this.reloadPosition();
          continue;
        }
        // The store is unreachable or a transient error: keep the checkpoint, wait, try again.
        if (this.processor.commitsCheckpoint) this.reloadPosition();
        this.state = 'retrying';
        this.lastError = (error as Error).message;
        this.log(`processor ${this.processor.name}: ${this.lastError}; retrying in ${backoff} ms`);
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  private async processNextBatch(): Promise<number> {
    const batch = await this.store.readAll({ after: this.position, maxCount: this.options.batchSize ?? 500 });
    if (batch.length === 0) return 0;
    const prefixes = this.processor.streamPrefixes;
    const relevant = prefixes ? batch.filter((e) => prefixes.some((p) => e.streamId.startsWith(p))) : batch;
    const last = batch[batch.length - 1].position;
    await this.deliver(relevant, last, this.position);
    this.advance(last, batch[batch.length - 1]);
    return batch.length;
  }

  private async deliver(events: StoredEvent[], checkpoint: GlobalPosition, after: GlobalPosition): Promise<void> {
    const slice = new SliceCommitter(this.processor, this.checkpoints, after, (position) => this.moveTo(position));
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
    this.checkpoints.recordFailure(failure(policy === 'stop' ? 'stopped' : 'parked'));
    if (policy === 'stop') throw new PoisonEventError(this.processor.name, event, error);
    this.log(`processor ${this.processor.name} parked event ${event.eventId}: ${message}`);
    await slice.commit([], upTo);
  }

  private advance(position: GlobalPosition, last: StoredEvent): void {
    this.lastEventRecordedAt = last.metadata.recordedAt;
    this.moveTo(position);
  }

  /** The one place the position moves: every committed slice, every reload, and the waiters hear of it. */
  private moveTo(position: GlobalPosition): void {
    this.position = position;
    for (const waiter of [...this.waiters]) {
      if (comparePositions(position, waiter.target) >= 0) waiter.resolve();
    }
  }

  private reloadPosition(): void {
    this.moveTo(this.checkpoints.load(this.processor.name) ?? START_POSITION);
  }

  /** Waits for the next event through a short-lived subscription, or for the idle timeout. */
  private async idle(): Promise<void> {
    const subscription = this.store.subscribeToAll({ after: this.position });
    const iterator = subscription[Symbol.asyncIterator]();
    try {
      await Promise.race([iterator.next().catch(() => undefined), this.sleep(this.options.idleWaitMs ?? 1000)]);
    } finally {
      await subscription.close().catch(() => undefined);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private log(message: string): void {
    (this.options.log ?? ((m: string) => console.warn(m)))(message);
  }
}

/** Commits the slices of one batch in order, each starting where the previous one ended. */
class SliceCommitter {
  constructor(
    private readonly processor: EventProcessor,
    private readonly checkpoints: CheckpointStore,
    private from: GlobalPosition,
    private readonly moved: (position: GlobalPosition) => void,
  ) {}

  async commit(events: StoredEvent[], upTo: GlobalPosition): Promise<void> {
    await this.processor.handleBatch(events, upTo, this.from);
    if (!this.processor.commitsCheckpoint) this.checkpoints.save(this.processor.name, upTo);
    this.done(upTo);
  }

  /** Quarantines the event's lead through the processor; false when it cannot (no lead, no support). */
  async quarantine(event: StoredEvent, failure: ProcessorFailure, upTo: GlobalPosition): Promise<boolean> {
    if (!this.processor.quarantineLead || !(await this.processor.quarantineLead(event, failure, upTo, this.from))) return false;
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
