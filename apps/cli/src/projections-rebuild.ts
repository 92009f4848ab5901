import 'reflect-metadata';
import { join } from 'node:path';
import { ConfigurationError, createEventStore, EngineConfig } from '@lead-lifecycle/lifecycle';
import { createPostgresPool, PostgresConfig, SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import {
  PROJECTION_NAMES,
  type ProjectionName,
  ProjectionsConfig,
  type RebuildOptions,
  type RebuildReport,
  rebuildPostgresProjections,
  rebuildProjections,
} from '@lead-lifecycle/projections';

/**
 * npm run projections:rebuild -- [funnel|scoring|kpi ... | all]   (no name or `all`: all of them, in one pass over the log)
 * With READ_MODELS=postgres it rebuilds the fleet's read models in DATABASE_URL, while the instances run.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = args.includes('all') ? [] : args;
  const unknown = names.filter((n) => !(PROJECTION_NAMES as readonly string[]).includes(n));
  if (unknown.length) {
    console.error(`unknown projection ${unknown.join(', ')}; known: ${PROJECTION_NAMES.join(', ')}`);
    process.exit(2);
  }
  const engine = EngineConfig.fromEnv();
  const config = ProjectionsConfig.fromEnv();
  const postgres = PostgresConfig.fromEnv();
  config.assertStoreReachable(postgres.DATABASE_URL);
  const store = createEventStore(engine);
  const selected = (names.length ? names : PROJECTION_NAMES) as ProjectionName[];
  const options: RebuildOptions = {
    poisonPolicy: config.PROJECTION_POISON_POLICY,
    onMetrics: (m) => console.log(`read the log once: ${m.eventsRead} events in ${m.readAllCalls} reads`),
  };
  try {
    // One pass: every batch of the log is read once and folded into each named projection.
    const reports = config.READ_MODELS === 'postgres' ? await onPostgres(postgres, store, selected, options) : await onSqlite(engine, store, selected, options);
    for (const report of reports) {
      console.log(
        `${report.projection}: ${report.events} events to position ${report.position} in ${report.seconds.toFixed(2)} s (${report.eventsPerSecond} events/s)`,
      );
    }
  } finally {
    await store.close();
  }
}

async function onSqlite(engine: EngineConfig, store: ReturnType<typeof createEventStore>, names: ProjectionName[], options: RebuildOptions): Promise<RebuildReport[]> {
  const checkpoints = new SqliteCheckpointStore(join(engine.DATA_DIR, 'read-models.sqlite'));
  try {
    return await rebuildProjections(store, checkpoints, names, options);
  } finally {
    checkpoints.close();
  }
}

async function onPostgres(
  postgres: PostgresConfig,
  store: ReturnType<typeof createEventStore>,
  names: ProjectionName[],
  options: RebuildOptions,
): Promise<RebuildReport[]> {
  const pool = createPostgresPool(postgres, 'lead-lifecycle projections:rebuild');
  try {
    return await rebuildPostgresProjections(store, pool, names, options);
  } finally {
    await pool.end();
  }
}

main().catch((error) => {
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(1);
});
