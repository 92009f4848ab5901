import type { LeaseGrant, LeaseListener, LeaseStore } from '@lead-lifecycle/eventing';

/** One tenure as a listener saw it: from `acquired` to `lost` (or to now when it is still on), monotonic ms. */
export interface Tenure {
  readonly holder: string;
  readonly term: number;
  readonly from: number;
  to?: number;
  /** Wall-clock ms when the holder stopped acting, to compare with the server's expiry. */
  stoppedAtWallMs?: number;
}

/** Listens to several lease keepers and keeps every tenure, for the "never two holders at once" checks. */
export class LeaseRecorder {
  readonly tenures: Tenure[] = [];

  listener(holder: () => string): LeaseListener {
    return {
      acquired: (grant: LeaseGrant) => {
        this.tenures.push({ holder: holder(), term: grant.term, from: performance.now() });
      },
      lost: () => {
        const open = this.tenures.filter((t) => t.holder === holder() && t.to === undefined);
        for (const t of open) {
          t.to = performance.now();
          t.stoppedAtWallMs = Date.now();
        }
      },
    };
  }

  /** The tenure pairs of different holders that overlapped in time (empty when the lease held). */
  overlaps(now = performance.now()): Array<[Tenure, Tenure]> {
    const pairs: Array<[Tenure, Tenure]> = [];
    for (const [i, a] of this.tenures.entries()) {
      for (const b of this.tenures.slice(i + 1)) {
        if (a.holder === b.holder) continue;
        if (a.from < (b.to ?? now) && b.from < (a.to ?? now)) pairs.push([a, b]);
      }
    }
    return pairs;
  }

  current(): Tenure | undefined {
    return this.tenures.find((t) => t.to === undefined);
  }
}

/**
 * A lease store that a test can make die: a dead one fails every call (a crashed process's connections,
 * a cut network), so its keeper can neither renew nor release, and stops acting at its own deadline.
 */
export class KillableLeaseStore implements LeaseStore {
  private dead = false;

  constructor(private readonly inner: LeaseStore) {}

  kill(): void {
    this.dead = true;
  }

  revive(): void {
    this.dead = false;
  }

  acquire(name: string, holder: string, ttlMs: number): Promise<number | undefined> {
    return this.dead ? Promise.reject(new Error('the instance is gone')) : this.inner.acquire(name, holder, ttlMs);
  }

  release(name: string, holder: string, term: number): Promise<void> {
    return this.dead ? Promise.reject(new Error('the instance is gone')) : this.inner.release(name, holder, term);
  }
}
