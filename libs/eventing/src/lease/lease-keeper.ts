import { randomBytes } from 'node:crypto';
import type { Lease, LeaseGrant, LeaseListener, LeaseStore } from './lease.port';

/** Milliseconds that only ever grow (performance.now()), unaffected by changes of the wall clock. */
export interface MonotonicClock {
  now(): number;
}

export const monotonicClock: MonotonicClock = { now: () => performance.now() };

export interface LeaseKeeperOptions {
  /** Time to live of the lease on the store's clock. */
  readonly ttlMs: number;
  /** How often the holder renews and a standby tries to acquire; default a third of the TTL. */
  readonly renewEveryMs?: number;
  /**
   * How long before the store-side expiry the holder stops acting: room for the time a timer fires late
   * and for the drift of the two clocks over one TTL. Default a tenth of the TTL, at least 20 ms.
   */
  readonly marginMs?: number;
  readonly clock?: MonotonicClock;
  readonly log?: (message: string) => void;
}

/**
 * Holds one lease of a {@link LeaseStore}: acquires it, renews it every `renewEveryMs`, and tells its
 * listener when to start and when to stop acting. Safety does not depend on the timers being on time:
 * the deadline of a tenure is counted on this process's monotonic clock from the moment the acquire
 * or renew that granted it was *sent* (the store counts its TTL from a later moment, when it ran the
 * statement), minus a margin, so the holder always stops before the store can hand the lease to another
 * instance. A renewal that fails (store unreachable) keeps the tenure until that deadline; a renewal
 * that is refused (another holder took it) ends it at once. After a loss, and while another instance
 * holds the lease, it keeps trying to acquire every `renewEveryMs`.
 */
export class LeaseKeeper implements Lease {
  /**
   * The holder id in the store: the instance id plus a suffix of this keeper, so a restarted process (or
   * a second process given the same INSTANCE_ID by mistake) is another holder and gets a new term.
   */
  readonly holder: string;
  private readonly ttlMs: number;
  private readonly renewEveryMs: number;
  private readonly marginMs: number;
  private readonly clock: MonotonicClock;
  private tenure?: { readonly grant: LeaseGrant; deadline: number };
  private listener?: LeaseListener;
  private running = false;
  private timer?: NodeJS.Timeout;
  private deadlineTimer?: NodeJS.Timeout;
  private cycle?: Promise<void>;
  /** The listener's `lost` still running: no new tenure starts before it settled. */
  private losing?: Promise<void>;

  constructor(
    private readonly store: LeaseStore,
    readonly name: string,
    instanceId: string,
    private readonly options: LeaseKeeperOptions,
  ) {
    this.holder = `${instanceId}/${randomBytes(4).toString('hex')}`;
    this.ttlMs = options.ttlMs;
    this.renewEveryMs = options.renewEveryMs ?? Math.max(1, Math.floor(options.ttlMs / 3));
    this.marginMs = options.marginMs ?? Math.max(20, Math.floor(options.ttlMs / 10));
    if (this.renewEveryMs + this.marginMs >= this.ttlMs) {
      throw new Error(`lease ${name}: renewing every ${this.renewEveryMs} ms with a margin of ${this.marginMs} ms cannot keep a ${this.ttlMs} ms lease`);
    }
    this.clock = options.clock ?? monotonicClock;
  }

  run(listener: LeaseListener): void {
    if (this.running) return;
    this.running = true;
    this.listener = listener;
    this.schedule(0);
  }

  held(): LeaseGrant | undefined {
    const tenure = this.tenure;
    return tenure && this.clock.now() < tenure.deadline ? tenure.grant : undefined;
  }

  /** Stops acquiring and renewing, tells the listener the tenure ended, and releases the lease when held. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.cycle;
    await this.losing;
    clearTimeout(this.deadlineTimer);
    const tenure = this.tenure;
    if (tenure && tenure.deadline > this.clock.now()) await this.lose(`lease ${this.name}: released`);
    this.tenure = undefined;
    if (tenure) {
      await this.store
        .release(this.name, this.holder, tenure.grant.term)
        .catch((error: Error) => this.log(`lease ${this.name}: release failed (${error.message}); it expires within ${this.ttlMs} ms`));
    }
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.cycle = this.attempt().finally(() => {
        this.cycle = undefined;
        this.schedule(this.renewEveryMs);
      });
    }, ms);
  }

  /** One acquire or renew, and what its answer means for the tenure. */
  private async attempt(): Promise<void> {
    await this.losing;
    const sentAt = this.clock.now();
    let term: number | undefined;
    let failure: Error | undefined;
    try {
      term = await this.store.acquire(this.name, this.holder, this.ttlMs);
    } catch (error) {
      failure = error as Error;
    }
    if (!this.running) {
      // Stopped while asking: a lease granted now is released by stop() through the tenure.
      if (term !== undefined && !this.tenure) this.tenure = { grant: { name: this.name, holder: this.holder, term }, deadline: sentAt };
      return;
    }
    if (term === undefined) {
      if (!this.tenure) return;
      if (failure) {
        // Unknown: the store may still count the lease ours. Keep acting until the deadline, not beyond.
        this.log(`lease ${this.name}: renewal failed (${failure.message}); stopping at the deadline unless a renewal succeeds`);
        return;
      }
      await this.lose(`lease ${this.name} was taken by another holder`);
      return;
    }
    const deadline = sentAt + this.ttlMs - this.marginMs;
    if (this.tenure && this.tenure.grant.term === term && this.held()) {
      this.tenure.deadline = deadline;
      this.armDeadline(deadline);
      return;
    }
    if (this.tenure) await this.lose(`lease ${this.name}: tenure ${this.tenure.grant.term} ended`);
    // A loss the deadline timer raised during the acquire: its holder has stopped before this tenure starts.
    await this.losing;
    if (!this.running || deadline <= this.clock.now()) return; // too late to act on: the next attempt renews it
    const grant: LeaseGrant = { name: this.name, holder: this.holder, term };
    this.tenure = { grant, deadline };
    this.log(`lease ${this.name} held by ${this.holder} (term ${term})`);
    this.armDeadline(deadline);
    await this.listener?.acquired(grant);
  }

  private armDeadline(deadline: number): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(() => {
      if (this.tenure && this.clock.now() >= this.tenure.deadline) {
        void this.lose(`lease ${this.name} could not be renewed within ${this.ttlMs - this.marginMs} ms`);
      } else if (this.tenure) this.armDeadline(this.tenure.deadline);
    }, Math.max(0, deadline - this.clock.now()));
  }

  /** Ends the tenure here and tells the listener; a new tenure waits until it has stopped acting. */
  private lose(reason: string): Promise<void> {
    if (!this.tenure) return this.losing ?? Promise.resolve();
    this.tenure = undefined;
    clearTimeout(this.deadlineTimer);
    this.log(reason);
    const losing = Promise.resolve(this.listener?.lost(reason))
      .catch((error: Error) => this.log(`lease ${this.name}: stopping after the loss failed: ${error.message}`))
      .finally(() => {
        if (this.losing === losing) this.losing = undefined;
      });
    this.losing = losing;
    return losing;
  }

  private log(message: string): void {
    (this.options.log ?? ((m: string) => console.warn(m)))(message);
  }
}
