import 'reflect-metadata';
import { join } from 'node:path';
import { ConfigurationError, createEventStore, EngineConfig } from '@lead-lifecycle/lifecycle';
import { SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import { PROJECTION_NAMES, type ProjectionName, ProjectionsConfig, rebuildProjections } from '@lead-lifecycle/projections';

/** npm run projections:rebuild -- [funnel|scoring|kpi ... | all]   (no name or `all`: all of them, in one pass over the log) */
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
  const store = createEventStore(engine);
  const checkpoints = new SqliteCheckpointStore(join(engine.DATA_DIR, 'read-models.sqlite'));
  try {
    // One pass: every batch of the log is read once and folded into each named projection.
    const reports = await rebuildProjections(store, checkpoints, (names.length ? names : PROJECTION_NAMES) as ProjectionName[], {
      poisonPolicy: config.PROJECTION_POISON_POLICY,
      onMetrics: (m) => console.log(`read the log once: ${m.eventsRead} events in ${m.readAllCalls} reads`),
    });
    for (const report of reports) {
      console.log(
        `${report.projection}: ${report.events} events to position ${report.position} in ${report.seconds.toFixed(2)} s (${report.eventsPerSecond} events/s)`,
      );
    }
  } finally {
    await store.close();
    checkpoints.close();
  }
}

main().catch((error) => {
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(1);
});
