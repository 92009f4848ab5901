import type { Lease, LeaseGrant, LeaseListener } from './lease.port';

/**
 * The lease of the embedded default (one process, no DATABASE_URL): always granted, at once and for
 * good, so a leased processor starts and stops exactly as an unleased one does.
 */
export class LocalLease implements Lease {
  private readonly grant: LeaseGrant;

  constructor(
    readonly name: string,
    holder = 'local',
  ) {
    this.grant = { name, holder, term: 1 };
  }

  run(listener: LeaseListener): void {
    void listener.acquired(this.grant);
  }

  async stop(): Promise<void> {}

  held(): LeaseGrant | undefined {
    return this.grant;
  }
}
