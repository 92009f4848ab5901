import type { EventStore } from '@lead-lifecycle/eventing';
import { positionToString } from '@lead-lifecycle/eventing';
import { type PoisonPolicy, ProcessorRunner, type SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import { createProjections, type ProjectionName } from './read-models';
import { SqliteProjectionProcessor } from './sqlite-projection';

export interface RebuildReport {
  readonly projection: ProjectionName;
  readonly events: number;
  readonly position: string;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

/**
 * Drops a projection's tables, quarantine and checkpoint and refolds it from position zero under the
 * given poison policy (default `quarantine`, as the live projections): leads are quarantined again only
 * for events that still cannot be handled. A running API that shares the read-model file notices the
 * moved checkpoint and continues from wherever the rebuild got.
 */
export async function rebuildProjection(
  store: EventStore,
  checkpoints: SqliteCheckpointStore,
  name: ProjectionName,
  options: { batchSize?: number; poisonPolicy?: PoisonPolicy } = {},
): Promise<RebuildReport> {
  const processor = new SqliteProjectionProcessor(checkpoints.db, createProjections()[name]);
  let events = 0;
  const counting = {
    name: processor.name,
    streamPrefixes: processor.streamPrefixes,
    commitsCheckpoint: true,
    handleBatch: async (...args: Parameters<SqliteProjectionProcessor['handleBatch']>) => {
      await processor.handleBatch(...args);
      events += args[0].length;
    },
    quarantineLead: (...args: Parameters<SqliteProjectionProcessor['quarantineLead']>) => processor.quarantineLead(...args),
  };
  const started = process.hrtime.bigint();
  processor.reset();
  const runner = new ProcessorRunner(store, checkpoints, counting, { batchSize: options.batchSize ?? 5000, poisonPolicy: options.poisonPolicy ?? 'quarantine' });
  await runner.catchUp();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { projection: name, events, position: positionToString(runner.status().position), seconds, eventsPerSecond: Math.round(events / seconds) };
}
