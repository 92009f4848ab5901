import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import type { CheckpointStore, ProcessorCheckpoints } from '../processing/checkpoint-store';
import { PostgresCheckpointStore } from '../processing/postgres-checkpoint-store';
import { createPostgresPool } from '../postgres/postgres-pool';
import type { PostgresConfig } from '../postgres/postgres.config';
import { LeaseConfig } from './lease.config';
import { LeaseKeeper } from './lease-keeper';
import type { Lease } from './lease.port';
import { LocalLease } from './local-lease';
import { PostgresLeaseStore } from './postgres-lease';

/**
 * The leases (and shared checkpoints) of the processors that must not run twice in a fleet. With
 * DATABASE_URL: row leases in PostgreSQL, one holder per lease across the instances, and checkpoints
 * there for the processors that do not commit theirs with their own effects. Without it: the local
 * lease (always granted) and the host's own checkpoint store, exactly the embedded default.
 */
export class FleetLeases {
  private constructor(
    private readonly config: LeaseConfig,
    private readonly pool?: Pool,
    private readonly store?: PostgresLeaseStore,
    // Nest's logger: the application's logger settings apply (tenures and losses are worth a line).
    private readonly log: (message: string) => void = (m) => new Logger('Leases').log(m),
  ) {}

  static async open(
    postgres: Pick<PostgresConfig, 'DATABASE_URL' | 'DATABASE_POOL_MAX'>,
    config: LeaseConfig = LeaseConfig.fromEnv(),
    log?: (message: string) => void,
  ): Promise<FleetLeases> {
    if (!postgres.DATABASE_URL) return new FleetLeases(config, undefined, undefined, log);
    const pool = createPostgresPool(postgres, `lead-lifecycle ${config.INSTANCE_ID}`, log);
    try {
      return new FleetLeases(config, pool, await PostgresLeaseStore.open(pool), log);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
  }

  /** Whether the leases are shared by a fleet (DATABASE_URL set). */
  get shared(): boolean {
    return this.store !== undefined;
  }

  /** The lease of one processor (named after it). */
  lease(name: string): Lease {
    if (!this.store) return new LocalLease(name, this.config.INSTANCE_ID);
    return new LeaseKeeper(this.store, name, this.config.INSTANCE_ID, { ttlMs: this.config.LEASE_TTL_MS, log: this.log });
  }

  /**
   * Where a leased processor that does not commit its checkpoint with its effects keeps it: the shared
   * PostgreSQL table fenced on its lease, or (undefined) the host's store in the embedded default.
   */
  async checkpointsFor(lease: Lease, failuresIn: CheckpointStore): Promise<ProcessorCheckpoints | undefined> {
    return this.pool ? PostgresCheckpointStore.open(this.pool, lease, failuresIn) : undefined;
  }

  async close(): Promise<void> {
    await this.pool?.end().catch(() => undefined);
  }
}
