/** One tenure of a lease: who holds it and the fencing token of this tenure. */
export interface LeaseGrant {
  readonly name: string;
  readonly holder: string;
  /** Grows whenever the holder changes: a write fenced on it is refused once another holder took over. */
  readonly term: number;
}

/**
 * Where leases are kept: one conditional write per call, timed by the store's own clock, so the
 * clocks of the instances never matter.
 */
export interface LeaseStore {
  /**
   * Acquires `name` for `holder` (or renews it when `holder` has it) for `ttlMs` counted by the store.
   * Answers the term when granted, undefined when another holder's lease has not expired. Rejects when
   * the store cannot be reached (the caller then cannot know, and counts its own deadline).
   */
  acquire(name: string, holder: string, ttlMs: number): Promise<number | undefined>;
  /** Gives the lease up at once (another instance may take it without waiting for the expiry). */
  release(name: string, holder: string, term: number): Promise<void>;
}

/** Told by a {@link Lease} when its holder may start acting and when it must stop. */
export interface LeaseListener {
  /** The lease is held from now on (a new tenure). */
  acquired(grant: LeaseGrant): void | Promise<void>;
  /**
   * The lease may no longer be held (refused, or not renewed before the deadline): stop acting. The
   * lease tries to acquire again only once the returned promise has settled.
   */
  lost(reason: string): void | Promise<void>;
}

/** What a leased processor runs under: one holder at a time, a standby keeps trying. */
export interface Lease {
  readonly name: string;
  /** Starts holding (or waiting for) the lease; the listener hears of every tenure and its end. */
  run(listener: LeaseListener): void;
  /** Stops trying; when held, tells the listener (`lost`) and releases the lease. */
  stop(): Promise<void>;
  /** The current tenure while it is surely held (its deadline has not passed), else undefined. */
  held(): LeaseGrant | undefined;
}
