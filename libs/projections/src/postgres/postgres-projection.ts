import { join } from 'node:path';
import type { Pool, PoolClient } from 'pg';
import {
  CheckpointMovedError,
  comparePositions,
  type EventProcessor,
  FencedCheckpointError,
  inPostgresTransaction,
  type GlobalPosition,
  type Lease,
  PostgresLeaseStore,
  positionFromString,
  positionToString,
  type ProcessorFailure,
  runMigrations,
  migrationsIn,
  START_POSITION,
  type StoredEvent,
} from '@lead-lifecycle/eventing';
import { CHECKPOINT_MIGRATIONS_FOLDER } from '@lead-lifecycle/eventing';
import { leadIdOf } from '../lead-quarantine';
import { projectionCheckpointName } from '../sqlite-projection';

/** The migrations of the PostgreSQL read models (area `read-models`). */
export const READ_MODEL_MIGRATIONS_FOLDER = join(__dirname, 'postgres-projections-migrations');

/**
 * Creates the read-model tables, the leases and the checkpoints on `pool` (each area's migrations once,
 * whichever instance starts first): the leases first, since a checkpoint save is fenced on them.
 */
export async function migrateReadModels(pool: Pool): Promise<void> {
  await PostgresLeaseStore.open(pool);
  await runMigrations(pool, 'checkpoints', migrationsIn(CHECKPOINT_MIGRATIONS_FOLDER));
  await runMigrations(pool, 'read-models', migrationsIn(READ_MODEL_MIGRATIONS_FOLDER));
}

/**
 * A read model kept in PostgreSQL: the fleet's counterpart of a SqliteProjection, its tables made by
 * the migrations. `apply` runs on the client of the transaction that also moves the checkpoint.
 */
export interface PostgresProjection {
  readonly name: string;
  readonly streamPrefixes: readonly string[];
  apply(client: PoolClient, event: StoredEvent): Promise<void>;
  /** As SqliteProjection.releases: whether `event` repairs what a held poison event of `poisonType` left. */
  releases?(poisonType: string, event: StoredEvent): boolean;
}

/**
 * Runs a PostgresProjection as an EventProcessor: each batch's rows and the checkpoint are one
 * PostgreSQL transaction, so an event counts exactly once across crashes and takeovers. The checkpoint
 * row is locked and compared with where the batch starts, and, with a lease, written only while the
 * lease row still names this holder and term (a share lock on it: a takeover waits for the commit in
 * flight and refuses every later one), so a deposed holder never adds a row.
 */
export class PostgresProjectionProcessor implements EventProcessor {
  readonly commitsCheckpoint = true;
  readonly name: string;
  readonly streamPrefixes: readonly string[];

  constructor(
    private readonly pool: Pool,
    readonly projection: PostgresProjection,
    /** The lease the runner holds it under; without one (tests, a single instance) the save is not fenced. */
    private readonly lease?: Lease,
  ) {
    this.name = projectionCheckpointName(projection.name);
    this.streamPrefixes = projection.streamPrefixes;
  }

  async handleBatch(events: StoredEvent[], checkpoint: GlobalPosition, after: GlobalPosition): Promise<void> {
    await this.inTransaction(after, checkpoint, async (client) => {
      const releasing = this.projection.releases !== undefined && (await this.anyHeld(client));
      for (const event of events) {
        await this.projection.apply(client, event);
        if (releasing) await this.releaseRepaired(client, event);
      }
    });
  }

  /** As SqliteProjectionProcessor.quarantineLead: holds the lead and moves the checkpoint in one transaction. */
  async quarantineLead(event: StoredEvent, failure: ProcessorFailure, upTo: GlobalPosition, after: GlobalPosition): Promise<boolean> {
    const leadId = leadIdOf(event);
    if (!leadId) return false;
    await this.inTransaction(after, upTo, async (client) => {
      await client.query(
        `INSERT INTO projection_quarantined_leads (projection, event_id, lead_id, tenant_id, event_type, position, error, since)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (projection, event_id) DO UPDATE SET error = excluded.error`,
        [this.projection.name, event.eventId, leadId, event.metadata.tenantId, event.type, positionToString(event.position), failure.error, event.metadata.recordedAt],
      );
    });
    return true;
  }

  private async inTransaction(after: GlobalPosition, upTo: GlobalPosition, work: (client: PoolClient) => Promise<void>): Promise<void> {
    await inPostgresTransaction(this.pool, async (client) => {
      await this.assertCheckpointAt(client, after);
      await work(client);
      await this.writeCheckpoint(client, upTo);
    });
  }

  /** Locks the checkpoint row and checks the batch starts where it ends (another holder may have moved it). */
  private async assertCheckpointAt(client: PoolClient, after: GlobalPosition): Promise<void> {
    const stored = await client.query<{ position: string }>('SELECT position FROM checkpoints WHERE name = $1 FOR UPDATE', [this.name]);
    const done = stored.rows.length ? positionFromString(stored.rows[0].position) : START_POSITION;
    if (comparePositions(done, after) !== 0) throw new CheckpointMovedError(this.name, done, after);
  }

  private async writeCheckpoint(client: PoolClient, upTo: GlobalPosition): Promise<void> {
    const position = positionToString(upTo);
    if (!this.lease) {
      await client.query(
        `INSERT INTO checkpoints (name, position, holder, term, updated_at) VALUES ($1, $2, '', 0, now())
         ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()`,
        [this.name, position],
      );
      return;
    }
    const grant = this.lease.held();
    if (!grant) throw new FencedCheckpointError(this.name, this.lease.name, '', undefined);
    const result = await client.query(
      `INSERT INTO checkpoints AS c (name, position, holder, term, updated_at)
         SELECT $1, $2, l.holder, l.term, now() FROM leases l
          WHERE l.name = $3 AND l.holder = $4 AND l.term = $5
          FOR SHARE
       ON CONFLICT (name) DO UPDATE SET position = excluded.position, holder = excluded.holder, term = excluded.term, updated_at = now()`,
      [this.name, position, grant.name, grant.holder, grant.term],
    );
    if (result.rowCount !== 1) throw new FencedCheckpointError(this.name, grant.name, grant.holder, grant.term);
  }

  private async anyHeld(client: PoolClient): Promise<boolean> {
    const result = await client.query('SELECT 1 FROM projection_quarantined_leads WHERE projection = $1 LIMIT 1', [this.projection.name]);
    return result.rows.length > 0;
  }

  private async releaseRepaired(client: PoolClient, event: StoredEvent): Promise<void> {
    const leadId = leadIdOf(event);
    if (!leadId) return;
    const held = await client.query<{ event_id: string; event_type: string }>(
      'SELECT event_id, event_type FROM projection_quarantined_leads WHERE projection = $1 AND lead_id = $2 ORDER BY seq',
      [this.projection.name, leadId],
    );
    const repaired = held.rows.filter((row) => this.projection.releases!(row.event_type, event)).map((row) => row.event_id);
    if (repaired.length === 0) return;
    await client.query('DELETE FROM projection_quarantined_leads WHERE projection = $1 AND event_id = ANY($2)', [this.projection.name, repaired]);
  }
}
