import type { Pool } from 'pg';
import { type EventStore, inPostgresTransaction, LocalLease, PostgresCheckpointStore, SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import { createPostgresProjections, createProjections, type ProjectionName } from '../read-models';
import { refold, type RebuildOptions, type RebuildReport } from '../rebuild-projection';
import { projectionCheckpointName } from '../sqlite-projection';
import { migrateReadModels, PostgresProjectionProcessor } from './postgres-projection';

/**
 * Rebuilds read models kept in PostgreSQL (READ_MODELS=postgres) from position zero, while the fleet
 * runs. Each projection is reset in one transaction that locks its checkpoint row (so a batch the
 * folding instance has in flight commits first or waits), deletes its rows and its quarantine, and
 * drops its checkpoint. Then this process refolds them all in one pass of the log.
 *
 * The instance that holds a projection's lease notices the moved checkpoint at its next batch (every
 * batch checks that it starts where the checkpoint ends, under the row lock) and continues from wherever
 * the rebuild got; the two never fold the same event twice, so an event counts exactly once. The
 * rebuild's own commits are not fenced on a lease: it holds none, and the checkpoint check is what keeps
 * the two apart. Failures of `park` and `stop` are printed by the caller's log only (the instances' own
 * failure lists are in their data folders).
 */
export async function rebuildPostgresProjections(
  store: EventStore,
  pool: Pool,
  names: readonly ProjectionName[],
  options: RebuildOptions = {},
): Promise<RebuildReport[]> {
  await migrateReadModels(pool);
  const tables = createProjections();
  for (const name of names) await resetPostgresProjection(pool, name, tables[name].tables);
  const projections = createPostgresProjections();
  // Failures of the rebuild's own runners: kept in memory for this run, the checkpoints are PostgreSQL's.
  const failures = new SqliteCheckpointStore(':memory:');
  try {
    const checkpoints = await PostgresCheckpointStore.open(pool, new LocalLease('projections:rebuild', 'rebuild'), failures);
    const targets = names.map((name) => ({ name, processor: new PostgresProjectionProcessor(pool, projections[name]), checkpoints }));
    return await refold(store, targets, options);
  } finally {
    failures.close();
  }
}

/** Empties one projection's tables and quarantine and drops its checkpoint, in one transaction. */
export async function resetPostgresProjection(pool: Pool, name: ProjectionName, tables: readonly string[]): Promise<void> {
  const checkpoint = projectionCheckpointName(name);
  await inPostgresTransaction(pool, async (client) => {
    // The checkpoint row first: a fold in flight commits before this goes on, and every later one sees it moved.
    await client.query('SELECT position FROM checkpoints WHERE name = $1 FOR UPDATE', [checkpoint]);
    // The table names are the projections' own constants, never input.
    for (const table of tables) await client.query(`DELETE FROM ${table}`);
    await client.query('DELETE FROM projection_quarantined_leads WHERE projection = $1', [name]);
    await client.query('DELETE FROM checkpoints WHERE name = $1', [checkpoint]);
  });
}
