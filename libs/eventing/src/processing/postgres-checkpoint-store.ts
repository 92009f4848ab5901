import { join } from 'node:path';
import type { Pool } from 'pg';
import { type GlobalPosition, positionFromString, positionToString } from '../event-store.port';
import type { Lease } from '../lease/lease.port';
import { PostgresLeaseStore } from '../lease/postgres-lease';
import { migrationsIn, runMigrations } from '../postgres/postgres-migrations';
import type { CheckpointStore, ProcessorCheckpoints, ProcessorFailure } from './checkpoint-store';

/** The migrations of the shared `checkpoints` table (area `checkpoints`). */
export const CHECKPOINT_MIGRATIONS_FOLDER = join(__dirname, 'postgres-checkpoint-migrations');

/**
 * A save by an instance whose lease tenure is over: another instance holds the processor now and the
 * shared checkpoint stays where that one put it. Retryable for the runner (it backs off, it does not
 * park an event), which the lost lease stops anyway.
 */
export class FencedCheckpointError extends Error {
  readonly retryable = true;
  constructor(
    readonly processor: string,
    readonly lease: string,
    readonly holder: string,
    readonly term: number | undefined,
  ) {
    super(
      term === undefined
        ? `checkpoint of ${processor} not saved: this instance does not hold lease ${lease}`
        : `checkpoint of ${processor} not saved: lease ${lease} term ${term} of ${holder} is no longer current`,
    );
    this.name = 'FencedCheckpointError';
  }
}

/**
 * The checkpoint of one leased processor (the Kafka relay) in PostgreSQL, shared by the fleet: a new
 * holder of the lease resumes where the last one saved. Every save is fenced on the lease in the same
 * statement: it writes only while the `leases` row still names this holder and term, and it takes a
 * share lock on that row, so a takeover (which updates the row) waits for a save in flight and every
 * save after it is refused. A deposed holder can never move the shared checkpoint.
 *
 * Only for processors whose effects are not in a local transaction (`commitsCheckpoint` unset): a
 * projection commits rows and checkpoint in one SQLite transaction and keeps that store. Failures stay
 * in the instance's own checkpoint file (`failuresIn`), where its status page reads them.
 */
export class PostgresCheckpointStore implements ProcessorCheckpoints {
  private constructor(
    private readonly pool: Pool,
    private readonly lease: Lease,
    private readonly failuresIn: CheckpointStore,
  ) {}

  /** The store on `pool` fenced by `lease`; the leases and checkpoints tables are created first. */
  static async open(pool: Pool, lease: Lease, failuresIn: CheckpointStore): Promise<PostgresCheckpointStore> {
    await PostgresLeaseStore.open(pool);
    await runMigrations(pool, 'checkpoints', migrationsIn(CHECKPOINT_MIGRATIONS_FOLDER));
    return new PostgresCheckpointStore(pool, lease, failuresIn);
  }

  async load(name: string): Promise<GlobalPosition | undefined> {
    const result = await this.pool.query<{ position: string }>('SELECT position FROM checkpoints WHERE name = $1', [name]);
    return result.rows.length ? positionFromString(result.rows[0].position) : undefined;
  }

  async save(name: string, position: GlobalPosition): Promise<void> {
    const grant = this.lease.held();
    if (!grant) throw new FencedCheckpointError(name, this.lease.name, '', undefined);
    const result = await this.pool.query(
      `INSERT INTO checkpoints AS c (name, position, holder, term, updated_at)
         SELECT $1, $2, l.holder, l.term, now() FROM leases l
          WHERE l.name = $3 AND l.holder = $4 AND l.term = $5
          FOR SHARE
       ON CONFLICT (name) DO UPDATE SET position = excluded.position, holder = excluded.holder, term = excluded.term, updated_at = now()`,
      [name, positionToString(position), grant.name, grant.holder, grant.term],
    );
    if (result.rowCount !== 1) throw new FencedCheckpointError(name, grant.name, grant.holder, grant.term);
  }

  transaction<T>(): T {
    throw new Error('PostgresCheckpointStore: a processor that commits its checkpoint with its effects keeps a local checkpoint store');
  }

  recordFailure(failure: ProcessorFailure): void {
    this.failuresIn.recordFailure(failure);
  }

  failures(name?: string): ProcessorFailure[] {
    return this.failuresIn.failures(name);
  }

  /** The pool belongs to whoever opened it; nothing to close here. */
  close(): void {}
}
